namespace EksHardening.Operator.Rules;

/// <summary>
/// The pods an evaluation judges through their top owner, grouped by that owner in the order they were added. Each
/// owner's pods are chained through index arrays instead of a list per owner: at 100,000 pods the lists and the
/// dictionary's growth were a tenth of everything the operator allocated in a burst. One instance is kept between
/// evaluations (<see cref="Rent"/>, <see cref="Return"/>), so its arrays and the dictionary's buckets are grown once.
/// </summary>
internal sealed class PodsByOwner
{
    private static PodsByOwner? s_spare;

    private readonly Dictionary<WorkloadView, int> _slots = new(ReferenceEqualityComparer.Instance);
    private int[] _first = [];
    private int[] _last = [];
    private int[] _next = [];
    private WorkloadView[] _pods = [];
    private int _count;

    /// <summary>The kept instance, empty, or a new one while another evaluation holds it.</summary>
    public static PodsByOwner Rent() => Interlocked.Exchange(ref s_spare, null) ?? new PodsByOwner();

    /// <summary>Empties the grouping (dropping its references to the snapshot's views) and keeps it for the next evaluation.</summary>
    public static void Return(PodsByOwner grouping)
    {
        grouping.Clear();
        s_spare = grouping;
    }

    public bool IsEmpty => _count == 0;

    public void Add(WorkloadView owner, WorkloadView pod)
    {
        if (_count == _pods.Length)
        {
            var size = Math.Max(16, _count * 2);
            Array.Resize(ref _pods, size);
            Array.Resize(ref _next, size);
        }

        var index = _count++;
        _pods[index] = pod;
        _next[index] = -1;
        if (_slots.TryGetValue(owner, out var slot))
        {
            _next[_last[slot]] = index;
            _last[slot] = index;
            return;
        }

        slot = _slots.Count;
        if (slot == _first.Length)
        {
            var size = Math.Max(16, slot * 2);
            Array.Resize(ref _first, size);
            Array.Resize(ref _last, size);
        }

        _slots.Add(owner, slot);
        _first[slot] = index;
        _last[slot] = index;
    }

    /// <summary>The owner's first pod's index, or -1 when none was added for it; <see cref="Next"/> walks on.</summary>
    public int First(WorkloadView owner) => _slots.TryGetValue(owner, out var slot) ? _first[slot] : -1;

    /// <summary>The index of the same owner's next pod, or -1 after its last.</summary>
    public int Next(int index) => _next[index];

    public WorkloadView Pod(int index) => _pods[index];

    private void Clear()
    {
        _slots.Clear();
        Array.Clear(_pods, 0, _count);
        _count = 0;
    }
}
