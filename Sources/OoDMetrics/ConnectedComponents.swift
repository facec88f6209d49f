/// 8-connected component labelling of a binary mask (scipy.ndimage.label with a 3x3
/// structure of ones, as the SMIYC benchmark uses).
enum ConnectedComponents {
    /// Labels 1…count for the `true` pixels of a `height`×`width` row-major mask (0 elsewhere),
    /// numbered in raster order of each component's first pixel, as scipy numbers them.
    static func label(_ mask: [Bool], height: Int, width: Int) -> (labels: [Int32], count: Int) {
        var parent: [Int32] = [0]
        var provisional = [Int32](repeating: 0, count: mask.count)
        func find(_ x: Int32) -> Int32 {
            var root = x
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = x
            while parent[Int(node)] != root { let next = parent[Int(node)]; parent[Int(node)] = root; node = next }
            return root
        }
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                var neighbours: [Int32] = []
                if x > 0, provisional[y * width + x - 1] > 0 { neighbours.append(provisional[y * width + x - 1]) }
                if y > 0 {
                    for dx in -1...1 where x + dx >= 0 && x + dx < width {
                        let l = provisional[(y - 1) * width + x + dx]
                        if l > 0 { neighbours.append(l) }
                    }
                }
                if neighbours.isEmpty {
                    let id = Int32(parent.count)
                    parent.append(id)
                    provisional[y * width + x] = id
                } else {
                    let roots = neighbours.map(find)
                    let smallest = roots.min()!
                    for r in roots where r != smallest { parent[Int(r)] = smallest }
                    provisional[y * width + x] = smallest
                }
            }
        }
        // Final numbering in raster order of first appearance.
        var final = [Int32](repeating: 0, count: parent.count)
        var count: Int32 = 0
        var labels = [Int32](repeating: 0, count: mask.count)
        for i in 0..<mask.count where provisional[i] > 0 {
            let root = Int(find(provisional[i]))
            if final[root] == 0 { count += 1; final[root] = count }
            labels[i] = final[root]
        }
        return (labels, Int(count))
    }
}
