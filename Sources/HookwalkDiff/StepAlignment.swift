/// Which steps of two paths have no counterpart in the other: a longest common subsequence of
/// the step keys, so a rule added in the middle shows as one added step, not as every later step
/// moved. Paths are tens of steps, so the quadratic table is small.
enum StepAlignment {
    static func unmatched(_ a: [PathStep], _ b: [PathStep]) -> (onlyA: [PathStep], onlyB: [PathStep]) {
        let steps = aligned(a, b)
        return (steps.filter { $0.side == .a }.map(\.step), steps.filter { $0.side == .b }.map(\.step))
    }

    /// Both paths merged in order: common steps once (A's), the others where they occur. When
    /// both sides have unmatched steps at the same place, A's come first.
    static func aligned(_ a: [PathStep], _ b: [PathStep]) -> [(side: PacketOverlay.Side, step: PathStep)] {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i].key == b[j].key ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var out: [(side: PacketOverlay.Side, step: PathStep)] = []
        var i = 0, j = 0
        while i < n && j < m {
            if a[i].key == b[j].key {
                out.append((.both, a[i]))
                i += 1
                j += 1
            } else if table[i + 1][j] >= table[i][j + 1] {
                out.append((.a, a[i]))
                i += 1
            } else {
                out.append((.b, b[j]))
                j += 1
            }
        }
        out += a[i...].map { (.a, $0) }
        out += b[j...].map { (.b, $0) }
        return out
    }
}
