import PixelOoDCommands
import PixelOoDPlugins

PixelOoD.main(plugins: bundledPlugins)
