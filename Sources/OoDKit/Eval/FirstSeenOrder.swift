extension Sequence where Element: Equatable {
    /// The distinct elements in the order they first appear (a report's sets and methods).
    func distinctInOrder() -> [Element] {
        var seen: [Element] = []
        for element in self where !seen.contains(element) { seen.append(element) }
        return seen
    }
}
