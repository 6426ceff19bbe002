using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>An acquire/release pair (or a scoped-guard factory) and the context the analysis will see it hold.</summary>
    internal sealed class Guard
    {
        public Guard(string acquire, string release, ContextInstance context)
        {
            Acquire = acquire;
            Release = release;
            Context = context;
        }

        /// <summary>The acquire call, or the [ScopedGuard] factory call or constructor.</summary>
        public string Acquire { get; }
        /// <summary>The release call; empty for a scoped guard (its disposal releases).</summary>
        public string Release { get; }
        public ContextInstance Context { get; }
    }

    /// <summary>
    /// Guards for missing clauses, found by contracts: a static acquire member whose single template, bound with the call's
    /// own expressions (or, for <c>any T</c>, a path from a local or parameter in scope), is the missing context.
    /// </summary>
    internal static class Guards
    {
        private const int PathDepth = 3;

        /// <summary>
        /// Guards for every missing clause at the call, in the declared lock order, each clause covered once; null when a clause
        /// the diagnostic reports has none.
        /// </summary>
        public static List<Guard>? ForCall(FixDocument fix, ReportedCall call, int position, ISet<string> unavailable, bool scoped)
        {
            var chosen = new List<Guard>();
            foreach (var clause in call.Missing)
            {
                if (clause.Alternatives.Any(a => chosen.Any(g => Covers(g.Context, a.Context)))) continue;
                var guard = ForClause(fix, clause.Clause, call.Call.Site, call.Body, position, unavailable, scoped);
                if (guard != null) chosen.Add(guard);
                else if (call.Reported.Contains(clause)) return null;
            }
            // Acquiring what may already be held (a maybe-held join, a try-lock's unread result, a shared hold that needs to be
            // exclusive) would self-deadlock: no wrap.
            if (chosen.Any(g => FixDocument.MayHold(call.State, g.Context.Key))) return null;
            return InLockOrder(chosen, fix.Contracts.LockOrder);
        }

        private static bool Covers(ContextInstance held, ContextInstance wanted) =>
            held.Key == wanted.Key || (wanted.Existential && Satisfaction.DerivesFrom(held.Type, wanted.Type));

        /// <summary>Outermost first: a guard goes before every guard it is declared to be acquired before.</summary>
        private static List<Guard> InLockOrder(List<Guard> guards, LockOrder order)
        {
            var result = new List<Guard>();
            var rest = guards.ToList();
            while (rest.Count > 0)
            {
                var next = rest.FirstOrDefault(g => !rest.Any(o => o != g && order.Violates(o.Context, g.Context))) ?? rest[0];
                result.Add(next);
                rest.Remove(next);
            }
            return result;
        }

        /// <summary>A guard for the first alternative of the clause that one fits, or null.</summary>
        public static Guard? ForClause(FixDocument fix, Clause clause, CallSite site, BodyAnalysis body, int position, ISet<string> unavailable, bool scoped)
        {
            foreach (var alternative in clause.Alternatives)
            {
                var instance = body.Paths.Instantiate(alternative, site);
                if (instance == null) continue;
                if (instance.Existential)
                {
                    foreach (var (path, type) in PathsTo(fix, instance.Type, site, position, unavailable))
                        if (Fit(fix, body, path, null, alternative.Mode, type, position, unavailable, scoped) is { } found && Covers(found.Context, instance))
                            return found;
                    continue;
                }
                var expression = fix.ExpressionAt(alternative, site, position);
                var staticKey = instance.Key.StartsWith("static:", System.StringComparison.Ordinal) ? instance.Key : null;
                if (expression == null && staticKey == null) continue;
                if (Fit(fix, body, expression, staticKey, alternative.Mode, instance.Type, position, unavailable, scoped) is { } guard && guard.Context.Key == instance.Key)
                    return guard;
            }
            return null;
        }

        /// <summary>A guard for the context named by <paramref name="expression"/> (or the static key), with the context the analysis will see.</summary>
        public static Guard? Fit(FixDocument fix, BodyAnalysis body, string? expression, string? staticKey, Mode mode, ITypeSymbol? type, int position,
            ISet<string> unavailable, bool scoped)
        {
            var pair = scoped
                ? ScopedGuardFor(fix, expression, staticKey, mode, type, position, unavailable)
                : GuardFor(fix, expression, staticKey, mode, type, position, unavailable);
            if (pair is not var (acquire, release)) return null;
            var context = HeldBy(fix, body, acquire, position);
            return context == null ? null : new Guard(acquire, release, context);
        }

        /// <summary>The context an acquire call (or guard factory) written at <paramref name="position"/> holds, as the analysis names it.</summary>
        public static ContextInstance? HeldBy(FixDocument fix, BodyAnalysis body, string acquire, int position)
        {
            var operation = fix.Speculate(acquire + ";", position);
            CallSite? site = operation switch
            {
                IInvocationOperation invocation => FixDocument.SiteOf(invocation),
                IObjectCreationOperation { Constructor: { } ctor } creation => new CallSite(creation, ctor, null, creation.Arguments, ctor.Parameters.Length),
                _ => null,
            };
            if (site == null) return null;
            var contract = fix.ContractOf(site.Member);
            return contract.Acquires.Length == 1 ? body.Paths.Instantiate(contract.Acquires[0], site) : null;
        }

        /// <summary>An acquire/release pair for the context named by <paramref name="expression"/> (or the static key) that satisfies <paramref name="mode"/>.</summary>
        public static (string Acquire, string Release)? GuardFor(FixDocument fix, string? expression, string? staticKey, Mode mode, ITypeSymbol? type,
            int position, ISet<string> unavailable, IMethodSymbol? exclude = null)
        {
            // A [ScopedGuard] factory's result is meant to be disposed, not dropped: those are for the using form. An
            // [Acquires] member fixing its own body must not call itself.
            var methods = fix.StaticMethods(position).Where(m => !fix.Contracts.IsScopedGuard(m.ReturnType) && !SymbolEqualityComparer.Default.Equals(m, exclude));
            foreach (var (method, contract) in Acquirers(fix, methods, mode, type))
            {
                var template = contract.Acquires[0];
                var acquire = fix.CallFor(method, template, expression, staticKey, position, unavailable);
                if (acquire == null) continue;
                var release = fix.ReleaseFor(expression, staticKey, template.Mode, position, unavailable, method);
                if (release != null) return (acquire, release);
            }
            return null;
        }

        /// <summary>A [ScopedGuard] factory or constructor whose single acquire is the context (the release is its disposal).</summary>
        public static (string Acquire, string Release)? ScopedGuardFor(FixDocument fix, string? expression, string? staticKey, Mode mode, ITypeSymbol? type,
            int position, ISet<string> unavailable)
        {
            foreach (var (method, contract) in Acquirers(fix, fix.GuardFactories(position), mode, type))
                if (fix.CallFor(method, contract.Acquires[0], expression, staticKey, position, unavailable) is { } call) return (call, "");
            return null;
        }

        /// <summary>Plain acquirers of one context in a mode that satisfies <paramref name="mode"/>: the requested mode first, then the most specific template.</summary>
        private static IEnumerable<(IMethodSymbol Method, MemberContract Contract)> Acquirers(FixDocument fix, IEnumerable<IMethodSymbol> methods, Mode mode, ITypeSymbol? type)
        {
            bool anyMode = (fix.Contracts.FlagsOf(type) & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0;
            var preferred = mode == Mode.Exclusive ? Mode.Exclusive : Mode.Shared;
            return methods
                .Select(m => (Method: m, Contract: fix.ContractOf(m)))
                .Where(c => c.Contract.Acquires.Length == 1 && c.Contract.Releases.IsEmpty && c.Contract.TryAcquires.IsEmpty && c.Contract.Downgrades.IsEmpty
                            && c.Contract.Clauses.IsEmpty && (mode != Mode.Exclusive || anyMode || c.Contract.Acquires[0].Mode == Mode.Exclusive))
                .OrderBy(c => c.Contract.Acquires[0].Mode == preferred ? 0 : 1)
                .ThenByDescending(c => c.Contract.Acquires[0].Path.Length)
                .ThenBy(c => c.Method.ToDisplayString(), System.StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>
        /// For <c>any T</c>: paths to a <c>T</c> from the locals and parameters in scope (the kernel's
        /// <c>vma</c>, <c>mapping</c>), shortest first, those rooted in the call's own expressions before others. When the
        /// best roots are several unrelated variables of equal standing, the choice is not the fix's to make: none.
        /// </summary>
        private static List<(string Path, ITypeSymbol Type)> PathsTo(FixDocument fix, ITypeSymbol? target, CallSite site, int position, ISet<string> unavailable)
        {
            var found = new List<(string Path, ITypeSymbol Type, int Depth, bool InCall, int Order)>();
            if (target == null) return new List<(string, ITypeSymbol)>();
            var inCall = new HashSet<string>(site.Operation.Syntax.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Select(n => n.Identifier.ValueText));
            foreach (var root in fix.Model.LookupSymbols(position))
            {
                ITypeSymbol? type = root switch
                {
                    IParameterSymbol parameter when parameter.RefKind is RefKind.None or RefKind.In => parameter.Type,
                    ILocalSymbol local when !local.IsRef && DeclaredBefore(local, position) => local.Type,
                    _ => null,
                };
                if (type == null || unavailable.Contains(root.Name)) continue;
                int order = root.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0;
                var frontier = new List<(string Path, ITypeSymbol Type)> { (root.Name, type) };
                for (int depth = 0; depth <= PathDepth && frontier.Count > 0; depth++)
                {
                    var next = new List<(string, ITypeSymbol)>();
                    foreach (var (path, current) in frontier)
                    {
                        if (depth > 0 && Satisfaction.DerivesFrom(current, target))
                        {
                            found.Add((path, current, depth, inCall.Contains(root.Name), order));
                            continue;
                        }
                        if (depth == PathDepth || current.SpecialType != SpecialType.None || current.TypeKind is not (TypeKind.Class or TypeKind.Struct)) continue;
                        foreach (var member in current.GetMembers())
                        {
                            var memberType = member switch
                            {
                                IFieldSymbol { IsStatic: false } field => field.Type,
                                IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: not null } property => property.Type,
                                _ => null,
                            };
                            if (memberType != null && SyntaxFactsIdentifier(member.Name) && fix.Model.IsAccessible(position, member))
                                next.Add((path + "." + member.Name, memberType));
                        }
                    }
                    frontier = next;
                }
            }
            var ranked = found.OrderBy(f => f.InCall ? 0 : 1).ThenBy(f => f.Depth).ThenBy(f => f.Order).ToList();
            if (ranked.Count > 1 && !ranked[0].InCall && ranked[1].Depth == ranked[0].Depth && ranked[1].Order != ranked[0].Order)
                return new List<(string, ITypeSymbol)>();
            return ranked.Select(f => (f.Path, f.Type)).ToList();
        }

        private static bool DeclaredBefore(ILocalSymbol local, int position) =>
            local.DeclaringSyntaxReferences.Length > 0 && local.DeclaringSyntaxReferences.All(r => r.Span.End <= position);

        private static bool SyntaxFactsIdentifier(string name) => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name);
    }
}
