namespace Serving.Planning.Model;

/// <summary>Ordinary least squares for a handful of unknowns, by the normal equations.</summary>
internal static class LeastSquares
{
    /// <summary>Returns β minimizing ‖Xβ − y‖² for the rows of <paramref name="x"/>.</summary>
    public static double[] Solve(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("One target per row is needed.", nameof(y));
        if (x.Count == 0) throw new ArgumentException("No rows to fit.", nameof(x));
        var n = x[0].Length;
        if (x.Count < n) throw new ArgumentException($"At least {n} rows are needed to fit {n} unknowns.", nameof(x));

        // Columns differ by many orders of magnitude (1 vs Σlen²): scale each to unit max so elimination stays accurate.
        var scale = new double[n];
        for (var j = 0; j < n; j++)
        {
            var max = 0.0;
            foreach (var row in x) max = Math.Max(max, Math.Abs(row[j]));
            scale[j] = max == 0 ? 1 : max;
        }

        var a = new double[n, n + 1];
        for (var r = 0; r < x.Count; r++)
        {
            for (var i = 0; i < n; i++)
            {
                var xi = x[r][i] / scale[i];
                for (var j = 0; j < n; j++) a[i, j] += xi * x[r][j] / scale[j];
                a[i, n] += xi * y[r];
            }
        }

        var beta = SolveAugmented(a, n);
        for (var j = 0; j < n; j++) beta[j] /= scale[j];
        return beta;
    }

    // Gaussian elimination with partial pivoting on an n×(n+1) augmented matrix.
    private static double[] SolveAugmented(double[,] a, int n)
    {
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (Math.Abs(a[pivot, col]) < 1e-12)
                throw new InvalidOperationException("The points do not determine the model (a term never varies or two terms move together).");
            if (pivot != col)
                for (var j = 0; j <= n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var r = col + 1; r < n; r++)
            {
                var f = a[r, col] / a[col, col];
                for (var j = col; j <= n; j++) a[r, j] -= f * a[col, j];
            }
        }

        var beta = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var s = a[i, n];
            for (var j = i + 1; j < n; j++) s -= a[i, j] * beta[j];
            beta[i] = s / a[i, i];
        }
        return beta;
    }
}
