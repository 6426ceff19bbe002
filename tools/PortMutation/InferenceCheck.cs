using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Contracts;

namespace MmLock.PortMutation
{
    /// <summary>A guard removal whose rules differ between the annotated port and the port with its helpers' contracts inferred.</summary>
    public sealed record VerdictChange(string Site, IReadOnlyList<string> Annotated, IReadOnlyList<string> Inferred);

    /// <summary>A helper whose declared contract inference does not reproduce: it keeps its attributes.</summary>
    public sealed record KeptHelper(string Member, string Declared, string Inferred);

    /// <summary>What the port's helpers lose when their requirement and role attributes are left to inference.</summary>
    public sealed record InferenceResult(IReadOnlyList<RemovedAttribute> Removed, IReadOnlyList<KeptHelper> Kept, IReadOnlyList<Diagnostic> StrippedPort,
        IReadOnlyList<VerdictChange> Changes, IReadOnlyDictionary<string, StaticResult> Inferred);

    /// <summary>
    /// Takes off the port's helper contracts (<see cref="HelperContracts"/>) wherever the contract inferred without them (with
    /// <c>mmlock_inference = assembly</c>) states the same requirements and roles as the attributes did, then checks that the
    /// stripped port is clean and that every guard removal adds the same rules as in the annotated port.
    /// </summary>
    public static class InferenceCheck
    {
        public static async Task<InferenceResult> RunAsync(Compilation port, string sourceRoot, IReadOnlyDictionary<GuardSite, StaticResult> annotated)
        {
            var candidates = HelperContracts.Candidates(port);
            var declared = ContractModel.Create(port, HelperContracts.InferAssembly, CancellationToken.None)!;
            var expected = candidates.Keys.ToDictionary(id => id, id => declared.DeclaredContractOf(Symbol(port, id)).Signature(requirementsOnly: true));
            // A helper's summary depends on its callees' contracts: restoring one that differs can change its callers', so repeat.
            var strip = candidates.Keys.ToHashSet(StringComparer.Ordinal);
            var kept = new List<KeptHelper>();
            while (true)
            {
                var (trial, _) = HelperContracts.Strip(port, sourceRoot, strip);
                var model = ContractModel.Create(trial, HelperContracts.InferAssembly, CancellationToken.None)!;
                var differing = strip.Select(id => (id, inferred: model.ContractOf(Symbol(trial, id)).Signature(requirementsOnly: true)))
                    .Where(h => h.inferred != expected[h.id]).ToList();
                if (differing.Count == 0) break;
                foreach (var (id, inferred) in differing)
                {
                    strip.Remove(id);
                    kept.Add(new KeptHelper(candidates[id], expected[id], inferred));
                }
            }
            var (stripped, removed) = HelperContracts.Strip(port, sourceRoot, strip);
            var verdict = new StaticVerdict(stripped, HelperContracts.InferAssembly);
            var wanted = annotated.Keys.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            var sites = GuardSites.Find(stripped, sourceRoot).Where(s => s.Unmutable is null && wanted.Contains(s.Key)).ToList();
            var inferredVerdicts = (await verdict.AnalyseAsync(sites, oneAtATime: false)).ToDictionary(r => r.Key.Key, r => r.Value);
            var changes = annotated.Where(a => a.Key.Unmutable is null).OrderBy(a => a.Key.Key, StringComparer.Ordinal)
                .Where(a => !inferredVerdicts[a.Key.Key].Ids.SequenceEqual(a.Value.Ids))
                .Select(a => new VerdictChange(a.Key.Key, a.Value.Ids, inferredVerdicts[a.Key.Key].Ids)).ToList();
            return new InferenceResult(removed, kept.OrderBy(k => k.Member, StringComparer.Ordinal).ToList(), await verdict.AllAsync(), changes, inferredVerdicts);
        }

        private static ISymbol Symbol(Compilation compilation, string id) =>
            DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) ?? throw new InvalidOperationException($"no symbol {id}");
    }
}
