/// An OoD method packaged as a library target: it registers its heads, scores and loss
/// terms into a ``Registry`` by one explicit call. No reflection, no import side effects:
/// the executable lists its plugins (`bundledPlugins`), and ``Registry/init(plugins:)``
/// calls each `register(into:)` in that order.
public protocol Plugin: SendableMetatype {
    /// Registers this plugin's entries.
    /// - Throws: ``RegistryError/duplicate(kind:name:)`` when a name is already taken.
    static func register(into registry: inout Registry) throws
}
