using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;

namespace MmLock.Bench
{
    public static class Program
    {
        /// <summary>
        /// measure [lines] [--plain|--inferred] [--repeat N] [--ide-repeats N] [--only MmLock|peers] one run of compile, floor, MmLock and peers on one corpus, then the IDE (bench/RESULTS.md)
        /// pathological [--cancel-after MS] [--only TEXT] time per pathological body, and the time from cancellation to return
        /// cancel [--cancel-after MS] [--repeat N] [--only TEXT]   per pathological body (named with TEXT), cancelled MS into MmLock's analysis of it, or MS after the run starts: time to return
        /// shape [folder]                                 the port's shares (default src/ReferenceKernelMm) beside the corpus'
        /// generate DIR [lines] [--plain]                 the corpus as files
        /// loop [lines] [times] [--plain]                 the annotated (or plain) corpus analyzed by MmLock (ten times), to profile
        /// anything else                                  BenchmarkDotNet (e.g. --filter '*' --job short)
        /// </summary>
        public static int Main(string[] args)
        {
            string command = args.Length > 0 ? args[0] : "";
            int Number(int index, int fallback) => args.Length > index && int.TryParse(args[index], out var n) ? n : fallback;
            int Option(string name, int fallback) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
            bool plain = args.Contains("--plain");
            bool inferred = args.Contains("--inferred");
            switch (command)
            {
                case "measure":
                    return Measure.Run(Number(1, 100_000), !plain, Option("--ide-repeats", 21),
                        Array.IndexOf(args, "--only") is int o and >= 0 && o + 1 < args.Length ? args[o + 1] : null, Option("--repeat", 1), inferred);
                case "pathological":
                    return Pathological.Run(Option("--cancel-after", 50), Array.IndexOf(args, "--only") is int w and >= 0 && w + 1 < args.Length ? args[w + 1] : null);
                case "cancel":
                    return Cancellation.Run(Option("--cancel-after", 50), Option("--repeat", 3), Array.IndexOf(args, "--only") is int c and >= 0 && c + 1 < args.Length ? args[c + 1] : null);
                case "shape":
                    Shape.Of(Shape.CompileFolder(args.Length > 1 ? args[1] : "../../src/ReferenceKernelMm")).Print("port");
                    Shape.Of(new Workload(Corpus.Generate(100_000, annotated: true)).NewCompilation()).Print("corpus (annotated, 100k)");
                    return 0;
                case "generate" when args.Length > 1:
                    Directory.CreateDirectory(args[1]);
                    var files = Corpus.Generate(Number(2, 100_000), annotated: !plain, inferred: inferred);
                    foreach (var (name, text) in files) File.WriteAllText(Path.Combine(args[1], name), text);
                    Console.WriteLine($"wrote {files.Count} files to {args[1]}");
                    return 0;
                case "loop":
                    // A steady load for a profiler: dotnet-trace collect -- dotnet MmLock.Bench.dll loop
                    var workload = new Workload(Corpus.Generate(Number(1, 100_000), annotated: !plain, inferred: inferred));
                    for (int i = Number(2, 10); i > 0; i--) workload.RunToCompletion(Workload.MmLock);
                    return 0;
                default:
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                    return 0;
            }
        }
    }
}
