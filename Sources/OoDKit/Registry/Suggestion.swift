/// The candidate nearest `name` by edit distance, when it is close enough to be a typo
/// (at most a third of the name's length, at least 2 edits allowed).
func nearest(_ name: String, in candidates: [String]) -> String? {
    guard let best = candidates.min(by: { editDistance($0, name) < editDistance($1, name) }) else { return nil }
    return editDistance(best, name) <= max(2, name.count / 3) ? best : nil
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 0..<a.count {
        var diagonal = row[0]
        row[0] = i + 1
        for j in 0..<b.count {
            let above = row[j + 1]
            row[j + 1] = min(above + 1, row[j] + 1, diagonal + (a[i] == b[j] ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
