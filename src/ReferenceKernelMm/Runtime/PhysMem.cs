using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>Who did something to a page: operation, CPU, thread and call stack (KASAN's alloc/free tracks).</summary>
    public sealed class PageTrack
    {
        private PageTrack(string op, int cpu, string thread, StackTrace stack) { Op = op; Cpu = cpu; Thread = thread; trace = stack; }

        // Kept unrendered: rendering a stack is far dearer than capturing it, and most tracks are never reported.
        private readonly StackTrace trace;

        /// <summary>The operation (free_empty_tables, pmd_free_pte_page, ...).</summary>
        public string Op { get; }

        /// <summary>The CPU it ran on, -1 for a thread that is not a CPU.</summary>
        public int Cpu { get; }

        /// <summary>The thread's name.</summary>
        public string Thread { get; }

        /// <summary>The call stack.</summary>
        public string Stack => trace.ToString();

        internal static PageTrack capture(string op) =>
            new(op, Smp.raw_smp_processor_id(), System.Threading.Thread.CurrentThread.Name ?? $"thread {Environment.CurrentManagedThreadId}",
                new StackTrace(2, false));

        /// <inheritdoc />
        public override string ToString() => $"{Op} on CPU {Cpu} ({Thread})\n{Stack}";
    }

    /// <summary>
    /// The storage of one physical page frame that holds data the model reads (page tables).
    /// A free frame is poisoned and its version bumped, so a stale <see cref="FrameRef"/> is caught
    /// even after the frame has been allocated again.
    /// </summary>
    public sealed class Frame
    {
        internal Frame(ulong pfn) { this.pfn = pfn; }

        /// <summary>Page frame number.</summary>
        public readonly ulong pfn;

        /// <summary>Bytes per page.</summary>
        public const int PAGE_SIZE = 4096;

        /// <summary>The poison pattern written over freed frames.</summary>
        public const ulong POISON = 0xdead_4ead_dead_4eadUL;

        internal readonly ulong[] words = Enumerable.Repeat(POISON, PAGE_SIZE / 8).ToArray();
        internal int version;
        internal volatile bool allocated;

        /// <summary>Last allocation.</summary>
        public PageTrack? alloc_track { get; internal set; }

        /// <summary>Last free.</summary>
        public PageTrack? free_track { get; internal set; }
    }

    /// <summary>A reference to a frame as allocated at one moment; every access checks it is still that allocation.</summary>
    public readonly struct FrameRef : IEquatable<FrameRef>
    {
        internal FrameRef(Frame frame, int version) { this.frame = frame; this.version = version; }

        /// <summary>The frame.</summary>
        public readonly Frame frame;
        internal readonly int version;

        /// <summary>Page frame number.</summary>
        public ulong pfn => frame.pfn;

        /// <summary>Whether the reference still names a live allocation.</summary>
        public bool valid => frame.allocated && Volatile.Read(ref frame.version) == version;

        /// <summary>Reads word <paramref name="i"/>, reporting a use-after-free.</summary>
        public ulong read(int i)
        {
            CpuStop.stop_point();
            ulong v = Volatile.Read(ref frame.words[i]);
            check("read", i);
            return v;
        }

        /// <summary>Writes word <paramref name="i"/>, reporting a use-after-free.</summary>
        public void write(int i, ulong value)
        {
            CpuStop.stop_point();
            check("write", i);
            Volatile.Write(ref frame.words[i], value);
        }

        internal void check(string what, int i)
        {
            if (valid)
                return;
            PageTrack toucher = PageTrack.capture(what);
            throw ViolationLog.Report(ViolationKind.UseAfterFree,
                $"KASAN: use-after-free {what} of word {i} in page pfn 0x{frame.pfn:x}" +
                (frame.allocated ? " (freed and allocated again)" : "") +
                $"\nFreed by: {frame.free_track}\nAccessed by: {toucher}\nAllocated by: {frame.alloc_track}");
        }

        /// <inheritdoc />
        public bool Equals(FrameRef other) => frame == other.frame && version == other.version;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is FrameRef r && Equals(r);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(frame, version);
    }

    /// <summary>Physical memory as the hardware presents it: frames by pfn, created on first use.</summary>
    public static class PhysMem
    {
        private static readonly ConcurrentDictionary<ulong, Frame> frames = new();

        /// <summary>The frame of <paramref name="pfn"/>.</summary>
        public static Frame frame(ulong pfn) => frames.GetOrAdd(pfn, p => new Frame(p));

        /// <summary>A reference to the frame's current allocation (what a pfn read from an entry names now).</summary>
        public static FrameRef current_ref(ulong pfn)
        {
            Frame f = frame(pfn);
            return new FrameRef(f, Volatile.Read(ref f.version));
        }

        /// <summary>Marks a frame allocated (zeroed) and returns a reference to this allocation.</summary>
        internal static FrameRef allocate(Frame f, string op)
        {
            CpuStop.stop_point();
            lock (f)
            {
                ViolationLog.BUG_ON(f.allocated, $"double allocation of pfn 0x{f.pfn:x}");
                Array.Clear(f.words);
                f.alloc_track = PageTrack.capture(op);
                f.allocated = true;
                return new FrameRef(f, f.version);
            }
        }

        /// <summary>Frees and poisons the allocation <paramref name="r"/> names.</summary>
        internal static void free(FrameRef r, string op)
        {
            CpuStop.stop_point();
            Frame f = r.frame;
            lock (f)
            {
                if (!r.valid)
                    throw ViolationLog.Report(ViolationKind.UseAfterFree,
                        $"KASAN: double free of pfn 0x{f.pfn:x}\nFirst freed by: {f.free_track}\nFreed again by: {PageTrack.capture(op)}");
                f.allocated = false;
                Interlocked.Increment(ref f.version);
                f.free_track = PageTrack.capture(op);
                Array.Fill(f.words, Frame.POISON);
            }
        }
    }
}
