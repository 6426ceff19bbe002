using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Bench
{
    /// <summary>
    /// Wall time and allocations of a whole-compilation analysis (a build) and of one document (the IDE),
    /// against binding the same compilation without analyzers, and beside peer analyzer packages.
    /// </summary>
    [MemoryDiagnoser]
    public class AnalyzerBenchmarks
    {
        [Params(50_000)] public int Lines;
        [Params(true, false)] public bool Annotated;

        private Workload workload = null!;
        private ImmutableArray<DiagnosticAnalyzer> vsThreading, meziantou, roslynator;

        [GlobalSetup]
        public void Setup()
        {
            workload = new Workload(Corpus.Generate(Lines, Annotated));
            vsThreading = Workload.Peer("PeerVsThreading");
            meziantou = Workload.Peer("PeerMeziantou");
            roslynator = Workload.Peer("PeerRoslynator");
        }

        [Benchmark(Baseline = true, Description = "bind only (no analyzers)")]
        public int BindOnly() => workload.NewCompilation().GetDiagnostics().Length;

        [Benchmark(Description = "MmLock, whole compilation")]
        public int MmLockWhole() => workload.RunToCompletion(Workload.MmLock);

        [Benchmark(Description = "MmLock, one document (IDE)")]
        public int MmLockOneDocument() => workload.RunOneDocument(Workload.MmLock, index: 1);

        [Benchmark(Description = "VS Threading, whole compilation")]
        public int VsThreadingWhole() => workload.RunToCompletion(vsThreading);

        [Benchmark(Description = "Meziantou, whole compilation")]
        public int MeziantouWhole() => workload.RunToCompletion(meziantou);

        [Benchmark(Description = "Roslynator, whole compilation")]
        public int RoslynatorWhole() => workload.RunToCompletion(roslynator);
    }
}
