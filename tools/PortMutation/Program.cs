using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Tests.Scenarios;

namespace MmLock.PortMutation
{
    /// <summary>
    /// Removes each guard acquisition of the reference port (with its releases), one at a time, and reports per site the
    /// rules the analyzers add in each profile; with --runtime, what the stress driver makes of it.
    /// </summary>
    public static class Program
    {
        private const string Usage = @"usage: PortMutation [--check | --update] [--profile NAME]... [--site TEXT]... [--one-at-a-time] [--verbose]
                    [--runtime [--runtime-profile NAME] [--seconds N] [--seeds 1,2,3] [--record]]
  --check            exit 1 unless docs/port-audit.md's guard-removal table matches and every unflagged site has a reason
  --update           rewrite the table's rows (keeps the reasons, and the run-time cells unless --runtime)
  --profile NAME     only this profile (repeatable; default all six; --check and --update need all)
  --site TEXT        only sites whose key contains TEXT (repeatable: any of them)
  --one-at-a-time    one mutant per site (default: one per round, removing one site in every member at once)
  --verbose          the added diagnostics' messages
  --port-diagnostics first print what the analyzers report on the unmutated port (nothing, in a clean port)
  --runtime          run the stress driver, assertions off, against each mutant (default x86_64, seeds 1,2,3, 20 s each)
  --record           with --runtime: write the measured sites' run-time cells into docs/port-audit.md, leaving the rest
  --inferred         also strip the helpers' Requires*/role attributes, analyse with mmlock_inference = assembly, and compare
                     each removal's rules with the annotated port's (the count of attributes removed is printed)
  --assertions off   the driver's assertions record nothing and do not stop the run, so only a consequence catches";

        public static async Task<int> Main(string[] args)
        {
            var profiles = new List<string>();
            bool check = false, update = false, inferred = false, verbose = false, runtime = false, oneAtATime = false, portDiagnostics = false, record = false;
            var siteFilters = new List<string>();
            string? runtimeProfile = null;
            double seconds = 20;
            var seeds = new List<int> { 1, 2, 3 };
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--check": check = true; break;
                    case "--update": update = true; break;
                    case "--verbose": verbose = true; break;
                    case "--one-at-a-time": oneAtATime = true; break;
                    case "--port-diagnostics": portDiagnostics = true; break;
                    case "--profile": profiles.Add(Next()); break;
                    case "--site": siteFilters.Add(Next()); break;
                    case "--record": record = true; break;
                    case "--inferred": inferred = true; break;
                    case "--runtime": runtime = true; break;
                    case "--runtime-profile": runtimeProfile = Next(); break;
                    case "--seconds": seconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                    case "--seeds": seeds = Next().Split(',').Select(int.Parse).ToList(); break;
                    case "--help": Console.WriteLine(Usage); return 0;
                    default: Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}"); return 2;
                }
            }
            if (record && (!runtime || update))
            {
                Console.Error.WriteLine("--record needs --runtime and does not go with --update");
                return 2;
            }
            if ((check || update) && (profiles.Count > 0 || siteFilters.Count > 0))
            {
                Console.Error.WriteLine("--check and --update work on every site in every profile");
                return 2;
            }
            var names = profiles.Count > 0 ? profiles : ArchProfiles.Names.ToList();
            var total = Stopwatch.StartNew();
            int inferenceProblems = 0;

            // Per profile: one parsed compilation, its sites, each site's verdict.
            var verdicts = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            var sitesByKey = new Dictionary<string, (GuardSite Site, Compilation Compilation, string Profile)>(StringComparer.Ordinal);
            foreach (string profile in names)
            {
                var watch = Stopwatch.StartNew();
                Compilation compilation = ReferencePort.Compile(new Configuration(profile, Configuration.Upstream));
                var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0) throw new InvalidOperationException($"the port does not compile in {profile}: {errors[0]}");
                if (portDiagnostics)
                    foreach (Diagnostic d in await new StaticVerdict(compilation).AllAsync())
                        Console.WriteLine($"  {profile}: port: {d}");
                var sites = GuardSites.Find(compilation, ReferencePort.SourceDirectory)
                    .Where(s => siteFilters.Count == 0 || siteFilters.Any(f => s.Key.Contains(f, StringComparison.Ordinal))).ToList();
                var analyser = new StaticVerdict(compilation);
                var results = await analyser.AnalyseAsync(sites.Where(s => s.Unmutable is null).ToList(), oneAtATime);
                foreach (GuardSite site in sites)
                {
                    string cell;
                    if (site.Unmutable is not null)
                        cell = "unmutable";
                    else
                    {
                        StaticResult result = results[site];
                        cell = result.CompileErrors.Count > 0 ? "does not compile" : result.Ids.Count == 0 ? AuditTable.NotFlagged : string.Join(", ", result.Ids);
                        if (verbose)
                            foreach (Diagnostic d in result.Added.Concat(result.CompileErrors))
                                Console.WriteLine($"  {profile} {site.Key}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
                    }
                    if (!verdicts.TryGetValue(site.Key, out var row)) verdicts[site.Key] = row = new Dictionary<string, string>(StringComparer.Ordinal);
                    row[profile] = cell;
                    if (profile == (runtimeProfile ?? "x86_64") || !sitesByKey.ContainsKey(site.Key)) sitesByKey[site.Key] = (site, compilation, profile);
                }
                if (inferred)
                {
                    var inference = await InferenceCheck.RunAsync(compilation, ReferencePort.SourceDirectory, results);
                    Console.WriteLine($"{profile}: inferred: {inference.Removed.Count} attributes removed from {inference.Removed.Select(r => r.Member).Distinct().Count()} helpers, " +
                        $"{inference.Kept.Count} helpers keep theirs; stripped port: {inference.StrippedPort.Count} diagnostics; {inference.Changes.Count} removals change their rules");
                    foreach (KeptHelper k in inference.Kept) Console.WriteLine($"  {profile}: kept {k.Member}: declared {k.Declared}; inferred {(k.Inferred.Length == 0 ? "nothing" : k.Inferred)}");
                    foreach (Diagnostic d in inference.StrippedPort) Console.WriteLine($"  {profile}: stripped port: {d}");
                    foreach (VerdictChange c in inference.Changes)
                        Console.WriteLine($"  {profile} {c.Site}: annotated {Cell(c.Annotated)}, inferred {Cell(c.Inferred)}");
                    if (verbose)
                    {
                        foreach (RemovedAttribute r in inference.Removed) Console.WriteLine($"  {profile}: removed {r.File}: {r.Member}: [{r.Attribute}]");
                        foreach (var (site, result) in inference.Inferred)
                            foreach (Diagnostic d in result.Added) Console.WriteLine($"  {profile} {site}: inferred: {d}");
                    }
                    inferenceProblems += inference.StrippedPort.Count + inference.Changes.Count;
                }
                Console.WriteLine($"{profile}: {sites.Count} sites, {sites.Count(s => verdicts[s.Key][profile] is not AuditTable.NotFlagged and not "unmutable")} flagged, " +
                    $"{analyser.Mutants} mutants, {watch.Elapsed.TotalSeconds:F1} s");
            }

            string auditPath = Path.Combine(ArchProfiles.RepoRoot, "docs", "port-audit.md");
            string document = File.ReadAllText(auditPath);
            var documented = AuditTable.Read(document, ArchProfiles.Names.Count);
            var computed = verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new AuditRow(v.Key,
                names.Select(p => v.Value.GetValueOrDefault(p, AuditTable.Absent)).ToList(),
                documented.GetValueOrDefault(v.Key)?.RunTime ?? "not run",
                documented.GetValueOrDefault(v.Key)?.Reason ?? "")).ToList();

            if (runtime)
            {
                string work = Path.Combine(ArchProfiles.RepoRoot, "artifacts", "port-mutation");
                string profile = runtimeProfile ?? "x86_64";
                var groups = sitesByKey.Values.Where(s => s.Profile == profile).ToList();
                if (groups.Count == 0) throw new InvalidOperationException($"no sites in profile {profile}");
                var runner = new RuntimeVerdict(profile, groups[0].Compilation, work, seconds, seeds);
                string baseline = runner.Verdict(null);
                Console.WriteLine($"run time, {profile}, unmutated port: {baseline}");
                if (!baseline.StartsWith("not caught", StringComparison.Ordinal))
                    throw new InvalidOperationException("the unmutated port is not clean under the driver: " + baseline);
                for (int i = 0; i < computed.Count; i++)
                {
                    if (!sitesByKey.TryGetValue(computed[i].Key, out var s) || s.Profile != profile || s.Site.Unmutable is not null) continue;
                    var watch = Stopwatch.StartNew();
                    string verdict = runner.Verdict(s.Site) + $", {profile}";
                    computed[i] = computed[i] with { RunTime = verdict };
                    Console.WriteLine($"run time: {computed[i].Key}: {verdict} [{watch.Elapsed.TotalSeconds:F0} s]");
                }
            }

            foreach (AuditRow row in computed)
                Console.WriteLine($"{row.Key}\n    {string.Join(" | ", names.Select((p, i) => $"{p}: {row.Profiles[i]}"))}\n    run time: {row.RunTime}");
            Console.WriteLine($"{computed.Count} sites; total {total.Elapsed.TotalSeconds:F1} s");

            if (record)
            {
                // Only the run-time cells of the sites measured here; every other cell stays as documented.
                var measured = computed.Where(r => sitesByKey.TryGetValue(r.Key, out var s) && s.Profile == (runtimeProfile ?? "x86_64"))
                    .ToDictionary(r => r.Key, r => r.RunTime, StringComparer.Ordinal);
                var rows = documented.Values.Select(r => measured.TryGetValue(r.Key, out string? cell) ? r with { RunTime = cell } : r);
                File.WriteAllText(auditPath, AuditTable.Write(document, ArchProfiles.Names.ToList(), rows));
                Console.WriteLine($"recorded {measured.Count} run-time cells in {auditPath}");
            }
            if (update)
            {
                File.WriteAllText(auditPath, AuditTable.Write(document, names, computed));
                Console.WriteLine($"updated {auditPath}");
            }
            int failures = 0;
            if (check)
            {
                var problems = AuditTable.Check(documented, computed, names);
                foreach (string p in problems) Console.Error.WriteLine("port-audit: " + p);
                if (problems.Count > 0) failures++;
                else Console.WriteLine("port-audit: the guard-removal table is current; every unflagged site has a reason");
            }
            if (inferred)
            {
                if (inferenceProblems > 0) failures++;
                Console.WriteLine(inferenceProblems > 0 ? $"inferred: {inferenceProblems} differences from the annotated port"
                    : "inferred: with the helpers' contracts inferred the port is clean and every guard removal adds the same rules");
            }
            if (failures > 0) return 1;
            return 0;
        }

        private static string Cell(IReadOnlyList<string> ids) => ids.Count == 0 ? AuditTable.NotFlagged : string.Join(", ", ids);
    }
}
