using System;
using System.Collections.Generic;
using System.Linq;
using ReferenceKernelMm.arch;

namespace ReferenceKernelMm.Stress
{
    /// <summary>The command-line entry shared by the driver and by the host of the broken variants.</summary>
    public static class StressMain
    {
        /// <summary>Parses <paramref name="args"/>, runs and returns the exit code. <paramref name="variants"/> are those this host can run.</summary>
        public static int Run(string[] args, IReadOnlyList<Variant> variants, string host)
        {
            StressOptions? o = StressOptions.Parse(args, out string? error);
            if (o == null)
                return usage(host, error!);
            if (o.help)
            {
                Console.Out.WriteLine(StressOptions.Usage(host));
                return ExitCode.Clean;
            }
            ArchProfile build = ArchProfile.Current;
            if (o.profile != null && o.profile != build.Name)
                return usage(host, ArchProfile.All.ContainsKey(o.profile)
                    ? $"this build is for profile '{build.Name}': rebuild with -p:MmArch={o.profile} to run '{o.profile}'"
                    : $"unknown profile '{o.profile}' (known: {string.Join(", ", ArchProfile.All.Keys)})");
            if (o.list)
            {
                list(build, variants);
                return ExitCode.Clean;
            }
            Variant? variant = null;
            if (o.variant != null)
            {
                variant = variants.FirstOrDefault(v => v.name == o.variant);
                if (variant == null)
                    return usage(host, variants.Count == 0
                        ? $"unknown variant '{o.variant}': this driver runs the port as it is; the broken variants run from samples/BrokenKernelMm"
                        : $"unknown variant '{o.variant}' (known: {string.Join(", ", variants.Select(v => v.name))})");
                if (!variant.applies_to(build))
                {
                    Console.Out.WriteLine($"variant {variant.name} ({variant.bug}) applies to {string.Join(", ", variant.profiles)}; " +
                        $"this build is {build.Name}: not run");
                    return ExitCode.NotApplicable;
                }
            }
            var fns = new KernelFunctions();
            variant?.install(fns);
            var workload = new Workload(fns);
            int seed = o.seed ?? Random.Shared.Next();
            if (o.plan > 0)
            {
                plan(workload, seed, o.cpus, o.plan);
                return ExitCode.Clean;
            }
            return new StressRun(o, seed, build, variant, workload).run();
        }

        private static int usage(string host, string error)
        {
            Console.Error.WriteLine($"{host}: {error}");
            Console.Error.WriteLine($"try '{host} --help'");
            return ExitCode.Usage;
        }

        private static void list(ArchProfile build, IReadOnlyList<Variant> variants)
        {
            var workload = new Workload(new KernelFunctions());
            Console.Out.WriteLine($"profile of this build: {build.Name} (others need -p:MmArch=NAME)");
            Console.Out.WriteLine("operations:");
            foreach (Operation op in workload.operations)
                Console.Out.WriteLine($"  {op.name}");
            Console.Out.WriteLine($"replaceable kernel functions: {string.Join(", ", new KernelFunctions().slots.Select(s => s.name))}");
            if (variants.Count == 0)
            {
                Console.Out.WriteLine("variants: none in this driver (samples/BrokenKernelMm runs them)");
                return;
            }
            Console.Out.WriteLine("variants:");
            foreach (Variant v in variants)
            {
                Console.Out.WriteLine($"  {v.name} ({v.bug}, replaces {v.replaces}): {v.description}");
                Console.Out.WriteLine($"      analyzers: {string.Join(", ", v.expected_ids)}; run time: {v.expected_kind}; profiles: " +
                    $"{string.Join(", ", v.profiles)}{(v.applies_to(build) ? "" : " (not this build)")}");
            }
        }

        private static void plan(Workload workload, int seed, int cpus, int n)
        {
            Console.Out.WriteLine($"plan: seed {seed}, first {n} operations of each of {cpus} CPUs");
            for (int cpu = 0; cpu < cpus; cpu++)
            {
                Random rng = StressRun.cpu_random(seed, cpu);
                var ops = new List<string>();
                for (int i = 0; i < n; i++)
                {
                    Choice c = workload.next(rng);
                    ops.Add(workload.operations[c.op].describe(c));
                }
                Console.Out.WriteLine($"cpu{cpu}: {string.Join("; ", ops)}");
            }
        }
    }
}
