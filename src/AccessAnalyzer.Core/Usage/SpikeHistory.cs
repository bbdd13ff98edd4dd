using AccessAnalyzer.Core.Reporting;

namespace AccessAnalyzer.Core.Usage;

/// <summary>
/// <c>read-spike</c> kept up to date day by day instead of rebuilt from the whole history: one histogram of daily
/// distinct files per peer group (every stored day of every account of the group), changed by each day a cycle
/// updates. A touched day is then judged exactly as <see cref="UsageRules.FlaggedDays"/> judges it (same medians,
/// same scales, same thresholds), and the account's own history is read only for the rare day above its peers'
/// threshold. Its cost per cycle follows the days the cycle touched, not the length of the history.
/// </summary>
public sealed class SpikeHistory
{
    private readonly Dictionary<string, Histogram> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Median, double Scale)> _robust = new(StringComparer.Ordinal);

    /// <summary>The peer group of an account, as <c>analyze</c> forms it.</summary>
    public static string PeerKey(PrincipalFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return UsageRules.PeerKey(figures);
    }

    /// <summary>A day's distinct files changed from <paramref name="before"/> (null: a new day) to <paramref name="after"/>.</summary>
    public void Change(string peerKey, long? before, long after)
    {
        if (!_groups.TryGetValue(peerKey, out var histogram))
        {
            _groups[peerKey] = histogram = new Histogram();
        }

        if (before is { } b)
        {
            histogram.Remove(b);
        }

        histogram.Add(after);
        _robust.Remove(peerKey);
    }

    /// <summary>
    /// Whether a day with <paramref name="distinct"/> distinct files is a <c>read-spike</c>: at least
    /// <see cref="UsageOptions.SpikeMinFiles"/>, above the peers' median + k × scale, and, when the account has at
    /// least <see cref="UsageOptions.SpikeMinHistoryDays"/> days, above its own median + k × scale.
    /// </summary>
    /// <param name="peerKey">The account's <see cref="PeerKey"/>.</param>
    /// <param name="distinct">The day's distinct files.</param>
    /// <param name="ownHistory">The account's daily distinct files, every stored day (this one included); read only when needed.</param>
    /// <param name="options">The usage rules' thresholds.</param>
    public bool IsSpike(string peerKey, long distinct, Func<double[]> ownHistory, UsageOptions options)
    {
        ArgumentNullException.ThrowIfNull(ownHistory);
        ArgumentNullException.ThrowIfNull(options);
        if (distinct < options.SpikeMinFiles)
        {
            return false;
        }

        var peer = PeerRobust(peerKey);
        if (!(distinct > peer.Median + (options.SpikeFactor * peer.Scale)))
        {
            return false;
        }

        var own = ownHistory();
        if (own.Length < options.SpikeMinHistoryDays)
        {
            return true;
        }

        var (ownMedian, ownScale) = UsageRules.Robust(own);
        return distinct > ownMedian + (options.SpikeFactor * ownScale);
    }

    /// <summary>The peer group's median and robust scale over its stored days (computed once per change of the group).</summary>
    internal (double Median, double Scale) PeerRobust(string peerKey)
    {
        if (!_robust.TryGetValue(peerKey, out var peer))
        {
            _robust[peerKey] = peer = _groups.TryGetValue(peerKey, out var histogram) ? histogram.Robust() : (0, 1);
        }

        return peer;
    }

    /// <summary>Whole values ≥ 0 counted in a dense array: the median and the MAD walk out from 0 and from the median only as far as they lie.</summary>
    private sealed class Histogram
    {
        private long[] _counts = new long[256];
        private long _n;

        public void Add(long value)
        {
            if (value >= _counts.Length)
            {
                Array.Resize(ref _counts, (int)Math.Max(value + 1, 2L * _counts.Length));
            }

            _counts[value]++;
            _n++;
        }

        public void Remove(long value)
        {
            if (value < 0 || value >= _counts.Length || _counts[value] == 0)
            {
                throw new InvalidOperationException("a day's previous count is not in its peer group's histogram");
            }

            _counts[value]--;
            _n--;
        }

        /// <summary>Median and robust scale, the same doubles as <see cref="UsageRules.Robust"/> over the values.</summary>
        public (double Median, double Scale) Robust()
        {
            if (_n == 0)
            {
                return (0, 1);
            }

            var mid = _n / 2;
            var median = _n % 2 == 1 ? Kth(mid) : (Kth(mid - 1) + (double)Kth(mid)) / 2;
            var twiceMedian = (long)(2 * median);
            var mad = _n % 2 == 1 ? KthDeviation(twiceMedian, mid) / 2.0 : ((KthDeviation(twiceMedian, mid - 1) / 2.0) + (KthDeviation(twiceMedian, mid) / 2.0)) / 2;
            return (median, UsageRules.Scale(median, mad));
        }

        private long Kth(long k)
        {
            var seen = 0L;
            for (var v = 0; v < _counts.Length; v++)
            {
                seen += _counts[v];
                if (seen > k)
                {
                    return v;
                }
            }

            throw new InvalidOperationException("k beyond the histogram");
        }

        /// <summary>The k-th smallest |2v − 2 × median| (from 0), walking out from the median.</summary>
        private long KthDeviation(long twiceMedian, long k)
        {
            var seen = 0L;
            var limit = (2L * _counts.Length) + twiceMedian + 2;
            for (var d = 0L; d <= limit; d++)
            {
                if (((twiceMedian + d) & 1) != 0)
                {
                    continue;
                }

                var above = (twiceMedian + d) / 2;
                seen += above < _counts.Length ? _counts[above] : 0;
                var below = (twiceMedian - d) / 2;
                if (d > 0 && twiceMedian - d >= 0)
                {
                    seen += _counts[below];
                }

                if (seen > k)
                {
                    return d;
                }
            }

            throw new InvalidOperationException("k beyond the histogram");
        }
    }
}
