import PixelOoDCommands

PixelOoD.main()
