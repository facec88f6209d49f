/// Why an RPL head cannot be built for a segmenter.
public enum RPLHeadError: Error, CustomStringConvertible, Equatable {
    /// `copy_context: true`, and the segmenter's `aspp` / `bot_aspp` do not load into the
    /// head's branch (other shapes or keys).
    case contextDoesNotFit(reason: String)

    public var description: String {
        switch self {
        case .contextDoesNotFit(let reason):
            return "head 'rpl': copy_context: the segmenter's aspp and bot_aspp do not fit the head's branch (\(reason)); "
                + "set copy_context: false to start the branch from Kaiming initialisation"
        }
    }
}
