/// The value of a finite two-person zero-sum game and an optimal strategy of its maximising
/// player, by the simplex method on the game's linear program (in `Double`, Bland's rule, so
/// it terminates on degenerate games too).
///
/// The maximiser mixes the columns with `h ≥ 0`, `Σh = 1`; the minimiser answers with the row
/// that pays least: `value = max_h min_i (M h)_i`. With every entry shifted positive
/// (`M' = M + k`), `x = h / v'` solves `min Σx` subject to `M' x ≥ 1`, `x ≥ 0`; its dual
/// `max Σy` subject to `M'ᵀ y ≤ 1`, `y ≥ 0` starts feasible at the slack basis, and its
/// final objective row holds `x` under the slack columns. SciPy counterpart:
/// `scipy.optimize.linprog` on `max t` s.t. `t − (M h)_i ≤ 0`, `Σh = 1`, `h ≥ 0`
/// (`scripts/fixtures/margin.py`).
public struct MatrixGame: Sendable {
    /// `payoff[i][j]`: what the maximiser gets when it plays column `j` and the minimiser row `i`.
    public let payoff: [[Double]]

    /// A game with at least one row and one column, every row as long.
    public init(payoff: [[Double]]) {
        precondition(!payoff.isEmpty && !payoff[0].isEmpty && payoff.allSatisfy { $0.count == payoff[0].count },
                     "MatrixGame: the payoff must be a non-empty rectangle")
        self.payoff = payoff
    }

    /// The game's value and a maximising column mixture (non-negative, summing to 1).
    public func solve() -> (value: Double, strategy: [Double]) {
        let rows = payoff.count, columns = payoff[0].count
        let shift = 1 - payoff.joined().min()!  // every shifted entry ≥ 1, so the shifted value is ≥ 1
        // Tableau of the dual: one constraint per column j (Σ_i M'_ij y_i + s_j = 1), variables
        // y (rows) then slacks s (columns), right-hand side last; objective row: reduced costs.
        let width = rows + columns + 1
        var tableau = [Double](repeating: 0, count: columns * width)
        for j in 0..<columns {
            for i in 0..<rows { tableau[j * width + i] = payoff[i][j] + shift }
            tableau[j * width + rows + j] = 1
            tableau[j * width + width - 1] = 1
        }
        var objective = [Double](repeating: 0, count: width)
        for i in 0..<rows { objective[i] = -1 }
        var basis = Array(rows..<(rows + columns))
        let tolerance = 1e-12
        while let entering = (0..<(width - 1)).first(where: { objective[$0] < -tolerance }) {
            // Minimum ratio; ties go to the basic variable of smallest index (Bland).
            var leaving: Int?
            var best = Double.infinity
            for j in 0..<columns where tableau[j * width + entering] > tolerance {
                let ratio = tableau[j * width + width - 1] / tableau[j * width + entering]
                if ratio < best - tolerance || (abs(ratio - best) <= tolerance && basis[j] < basis[leaving!]) {
                    (best, leaving) = (ratio, j)
                }
            }
            guard let pivotRow = leaving else { break }  // unbounded: impossible for a shifted positive game
            let pivot = tableau[pivotRow * width + entering]
            for k in 0..<width { tableau[pivotRow * width + k] /= pivot }
            for j in 0..<columns where j != pivotRow {
                let factor = tableau[j * width + entering]
                if factor != 0 { for k in 0..<width { tableau[j * width + k] -= factor * tableau[pivotRow * width + k] } }
            }
            let factor = objective[entering]
            for k in 0..<width { objective[k] -= factor * tableau[pivotRow * width + k] }
            basis[pivotRow] = entering
        }
        let total = objective[width - 1]  // Σy = Σx = 1 / v'
        let shiftedValue = 1 / total
        let strategy = (0..<columns).map { max(0, objective[rows + $0]) * shiftedValue }
        let sum = strategy.reduce(0, +)
        return (shiftedValue - shift, strategy.map { $0 / sum })
    }
}
