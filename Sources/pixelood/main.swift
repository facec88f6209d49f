import PixelOoDCommands

PixelOoD.main(plugins: bundledPlugins)
