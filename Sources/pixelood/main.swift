import PixelOoDCommands

await PixelOoD.main()
