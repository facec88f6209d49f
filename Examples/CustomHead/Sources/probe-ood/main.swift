import OutlierProbe
import PixelOoDCommands
import PixelOoDPlugins

// pixelood with every bundled method plus the outlier probe: train, eval, infer, sweep,
// list and the rest work on recipes that name `outlier_probe` and `outlier_probe.bce`.
PixelOoD.main(plugins: bundledPlugins + [OutlierProbePlugin.self])
