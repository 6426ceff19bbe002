using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.Analyzers.Rules
{
    /// <summary>
    /// The rules of contract.md §3 read off the flow: each hook receives one operation and the state before it.
    /// One instance per analyzed member; it deduplicates what several paths would report twice.
    /// </summary>
    internal sealed class ContextRules : IFlowObserver
    {
        private readonly Action<Diagnostic> _report;
        private readonly HashSet<string> _reported = new HashSet<string>();
        private readonly HashSet<string> _joined = new HashSet<string>();
        /// <summary>The contexts a call already has a diagnostic for: one set per body, cleared at each call.</summary>
        private readonly HashSet<string> _contextsReported = new HashSet<string>();

        public ContextRules(Action<Diagnostic> report) { _report = report; }

        private void Report(DiagnosticDescriptor rule, Location location, IEnumerable<Location?> additional, params object[] arguments) =>
            Report(rule, location, additional, null, arguments);

        private void Report(DiagnosticDescriptor rule, Location location, IEnumerable<Location?> additional, ImmutableDictionary<string, string?>? properties,
            params object[] arguments)
        {
            var key = rule.Id + "|" + location.SourceSpan + "|" + location.SourceTree?.FilePath + "|" + string.Join("|", arguments);
            if (!_reported.Add(key)) return;
            _report(Diagnostic.Create(rule, location, additional.Where(l => l != null && l.IsInSource).Cast<Location>(), properties, arguments));
        }

        /// <summary>The clause kind and the keys of the missing clauses' alternatives.</summary>
        private static ImmutableDictionary<string, string?> MissingProperties(ClauseKind kind, IEnumerable<BoundClause> clauses) =>
            DiagnosticProperties.Of((DiagnosticProperties.Kind, kind.ToString()),
                (DiagnosticProperties.Missing, DiagnosticProperties.JoinClauses(clauses.Select(c => c.Alternatives.Select(a => a.Context.Key)))));

        private static ImmutableDictionary<string, string?> ContextProperty(string key, string? kind = null) =>
            DiagnosticProperties.Of((DiagnosticProperties.Context, key), (DiagnosticProperties.Kind, kind));

        private static Location?[] Also(params Location?[] locations) => locations;

        public static string Where(Held held) => held.AcquiredAt != null ? "acquired at line " + BodyAnalysis.Line(held.AcquiredAt) : "held on entry";

        public static string Quote(IEnumerable<string> items) => string.Join(", ", items.Distinct().Select(i => "'" + i + "'"));

        /// <summary>"'a'" or "one of 'a', 'b'": the guards that would satisfy a requirement.</summary>
        public static string Alternatives(IEnumerable<string> displays)
        {
            var list = displays.Distinct().ToList();
            return list.Count == 1 ? "'" + list[0] + "'" : "one of " + Quote(list);
        }

        /// <summary>
        /// The alternatives of a clause as guards to hold: "'a'", "'a' exclusively" or "one of 'a' exclusively, 'b'". The mode is
        /// named where only exclusive satisfies (an existential only with an explicit prefix; not for reentrant contexts, whose mode is ignored), so a
        /// caller holding the lock shared is not told to "hold" what it holds.
        /// </summary>
        private static string Guards(BoundClause clause, BodyAnalysis body)
        {
            var list = clause.Alternatives.Select(a => "'" + a.Context.Display + "'" +
                (a.Mode == Mode.Exclusive && (body.Model.FlagsOf(a.Context.Type) & ContextFlags.Reentrant) == 0 ? " exclusively" : ""))
                .Distinct().ToList();
            return list.Count == 1 ? list[0] : "one of " + string.Join(", ", list);
        }

        // ---- calls ---------------------------------------------------------------------------------

        public void OnCall(CallEvent call, FlowState before, BodyAnalysis body)
        {
            var location = call.Site.Location;
            var name = call.Site.MemberName;

            // One diagnostic per context, MM1006 > MM1003 > MM1001 (and the roles' MM2xxx) context by context.
            var reported = _contextsReported;
            reported.Clear();
            foreach (var (context, _) in call.Excludes)
            {
                if (Satisfaction.Satisfier(before, context, Mode.Either) is not { } held) continue;
                reported.Add(context.Key);
                reported.Add(held.Key);
                Report(Descriptors.MM1006, location, Also(held.AcquiredAt), ContextProperty(held.Key), name, held.Context.Display, Where(held));
            }

            // A helper's inferred exclusions, after its declared ones: the inner call or acquire is the additional location.
            foreach (var (context, exclusion) in call.Exclusions)
            {
                if (reported.Contains(context.Key)) continue;
                if (!exclusion.Acquired && Satisfaction.Satisfier(before, context, Mode.Either) is { } excluded)
                {
                    reported.Add(context.Key);
                    reported.Add(excluded.Key);
                    Report(Descriptors.MM1006Call, location, Also(excluded.AcquiredAt, exclusion.Origin), ContextProperty(excluded.Key), name,
                        excluded.Context.Display, Where(excluded), MemberContract.ViaText(exclusion.Via));
                }
                else if (exclusion.Acquired && before.Find(context.Key) is { Definite: true } held && (held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) == 0)
                {
                    reported.Add(context.Key);
                    Report(Descriptors.MM1003Call, location, Also(held.AcquiredAt, exclusion.Origin), ContextProperty(context.Key), name, held.Context.Display,
                        MemberContract.ViaText(exclusion.Via),
                        held.AcquiredAt != null ? BodyAnalysis.Line(held.AcquiredAt) : BodyAnalysis.Line(body.OwnerSyntax.GetLocation()));
                }
            }

            foreach (var (context, _) in call.Acquires)
            {
                if (reported.Contains(context.Key) || before.Find(context.Key) is not { Definite: true } held) continue;
                if ((held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0) continue;
                reported.Add(context.Key);
                Report(Descriptors.MM1003, location, Also(held.AcquiredAt), ContextProperty(context.Key), context.Display,
                    held.AcquiredAt != null ? BodyAnalysis.Line(held.AcquiredAt) : BodyAnalysis.Line(body.OwnerSyntax.GetLocation()));
            }

            CheckClauses(call, before, body, location, name, reported);
            CheckSleep(call, before, body, location, name);
            CheckOrder(call, before, body, location);
            CheckReleases(call, before, location);
        }

        /// <summary>Guarded and exclusive clauses first (a single clause, most calls, is not sorted).</summary>
        private static IEnumerable<BoundClause> InReportingOrder(ImmutableArray<BoundClause> clauses) =>
            clauses.Length < 2 ? clauses : clauses.OrderBy(c => c.Clause.Kind is ClauseKind.Requires or ClauseKind.RequiresAny ? 1 : 0)
                .ThenBy(c => c.Alternatives.All(a => a.Mode == Mode.Exclusive) ? 0 : 1);

        /// <summary>
        /// The clauses not satisfied, skipping those on a context <paramref name="reported"/> already has a diagnostic for at this call.
        /// Of several requirements of one context a role's is reported (a role call reports only its MM2xxx, contract §3), then
        /// of <c>[Requires]</c> and <c>[RequiresShared]</c> the exclusive one.
        /// </summary>
        private void CheckClauses(CallEvent call, FlowState before, BodyAnalysis body, Location location, string name, HashSet<string> reported)
        {
            List<(BoundClause Clause, string Text)>? missingHolds = null;
            foreach (var clause in InReportingOrder(call.Clauses))
            {
                if (AnyReported(clause, reported)) continue;
                var satisfiers = Satisfaction.Satisfiers(clause, before, body.AssumedDisjunctions);
                if (satisfiers == null || satisfiers.Count > 0) continue;
                foreach (var alternative in clause.Alternatives) reported.Add(alternative.Context.Key);
                var kind = clause.Clause.Kind;
                var alternatives = clause.Alternatives;
                if (alternatives.IsEmpty && kind is ClauseKind.Requires or ClauseKind.RequiresAny or ClauseKind.Guarded) continue;
                switch (kind)
                {
                    case ClauseKind.Requires:
                    case ClauseKind.RequiresAny:
                        ReportRequires(before, location, name, clause, body);
                        break;
                    case ClauseKind.Walker:
                    case ClauseKind.Lookup:
                        Report(clause.Clause.Rule, location, Also(clause.Clause.Origin), MissingProperties(kind, new[] { clause }), name, clause.Clause.Space!, clause.Clause.Freeing!,
                            Guards(clause, body), Via(clause));
                        break;
                    case ClauseKind.Freer:
                        (missingHolds ??= new List<(BoundClause, string)>()).Add((clause, alternatives.IsEmpty ? "?" : Guards(clause, body)));
                        break;
                    case ClauseKind.LeafModifier:
                        Report(clause.Clause.Rule, location, Also(clause.Clause.Origin), MissingProperties(kind, new[] { clause }), name, clause.Clause.Space!, Guards(clause, body), Via(clause));
                        break;
                    case ClauseKind.Guarded:
                        Report(Descriptors.MM1007Call, location, Also(clause.Clause.Origin), MissingProperties(kind, new[] { clause }), name, clause.Clause.Access!, Via(clause),
                            "holding '" + alternatives[0].Context.Display + "'" + (alternatives[0].Mode == Mode.Exclusive ? " exclusively" : ""));
                        break;
                    case ClauseKind.LiveRoot:
                    case ClauseKind.Memmap:
                        Report(clause.Clause.Rule, location, Also(clause.Clause.Origin), MissingProperties(kind, new[] { clause }), name, Guards(clause, body), Via(clause));
                        break;
                }
            }
            if (missingHolds == null) return;
            foreach (var group in missingHolds.GroupBy(m => (m.Clause.Clause.Space, m.Clause.Clause.Freeing, Via(m.Clause))))
                Report(Descriptors.MM2003, location, group.Select(g => g.Clause.Clause.Origin).Distinct().ToArray(), MissingProperties(ClauseKind.Freer, group.Select(g => g.Clause)),
                    name, group.Key.Space!, group.Key.Freeing!, string.Join(" and ", group.Select(g => g.Text)), group.Key.Item3);
        }

        private static bool AnyReported(BoundClause clause, HashSet<string> reported)
        {
            foreach (var alternative in clause.Alternatives)
                if (reported.Contains(alternative.Context.Key)) return true;
            return false;
        }

        /// <summary>The chain of an inferred clause, " (via a -> b)", or empty.</summary>
        private static string Via(BoundClause clause) => MemberContract.ViaText(clause.Clause.Via);

        private void ReportRequires(FlowState before, Location location, string name, BoundClause clause, BodyAnalysis body)
        {
            var (first, mode) = clause.Alternatives[0];
            string what;
            if (clause.Alternatives.Length == 1)
            {
                bool modeless = (body.Model.FlagsOf(first.Type) & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0;
                what = "holding '" + first.Display + "'" + (mode == Mode.Exclusive && !modeless ? " exclusively" : "");
                if (before.Find(first.Key) is { Definite: true } wrongMode) what += ", but it is held shared";
                else if (before.Find(first.Key) is { Maybe: true }) what += ", which is not held on every path";
            }
            else
            {
                what = "holding " + Guards(clause, body);
            }
            var released = clause.Alternatives.Select(a => before.Released.TryGetValue(a.Context.Key, out var at) ? (a.Context.Display, at) : default)
                .FirstOrDefault(r => r.at != null);
            var suffix = released.at != null && before.Find(first.Key) == null ? $"; '{released.Display}' was released at line {BodyAnalysis.Line(released.at)}" : "";
            Report(Descriptors.MM1001, location, Also(released.at, clause.Clause.Origin), MissingProperties(clause.Clause.Kind, new[] { clause }), name, what, suffix, Via(clause));
        }

        private void CheckSleep(CallEvent call, FlowState before, BodyAnalysis body, Location location, string name)
        {
            var sleepers = new List<(string Text, string Kind)>();
            if (call.Contract.MightSleep) sleepers.Add(("Calling '" + name + "'" + MemberContract.ViaText(call.Contract.SleepVia), "call"));
            foreach (var (context, _) in call.Acquires)
                if ((body.Model.FlagsOf(context.Type) & ContextFlags.Atomic) == 0) sleepers.Add(("Acquiring '" + context.Display + "'", "acquire"));
            if (sleepers.Count == 0) return;
            foreach (var held in before.DefiniteContexts)
                if ((held.Flags & ContextFlags.Atomic) != 0)
                    Report(Descriptors.MM3001, location, Also(held.AcquiredAt, sleepers[0].Kind == "call" ? call.Contract.SleepOrigin : null), ContextProperty(held.Key, sleepers[0].Kind),
                        sleepers[0].Text, held.Context.Display, Where(held));
        }

        private void CheckOrder(CallEvent call, FlowState before, BodyAnalysis body, Location location)
        {
            if (call.Acquires.IsEmpty || body.Model.LockOrder.IsEmpty) return;
            foreach (var (context, _) in call.Acquires)
                foreach (var held in before.DefiniteContexts)
                    if (held.Key != context.Key && body.Model.LockOrder.Violates(context, held.Context))
                        Report(Descriptors.MM1009, location, Also(held.AcquiredAt), ContextProperty(context.Key), context.Display, held.Context.Display);
        }

        private void CheckReleases(CallEvent call, FlowState before, Location location)
        {
            foreach (var (context, mode) in call.Releases)
            {
                var held = before.Find(context.Key);
                if (held == null)
                {
                    Report(Descriptors.MM1002, location, Also(), ContextProperty(context.Key, DiagnosticProperties.NotHeld), context.Display, "which is not held");
                }
                else if (held.Definite && held.Mode != mode && (held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) == 0)
                {
                    var why = mode == Mode.Shared ? "as shared, but it is held exclusively" : "as exclusive, but it is held shared";
                    Report(Descriptors.MM1002, location, Also(held.AcquiredAt), ContextProperty(context.Key, DiagnosticProperties.WrongMode), context.Display, why);
                }
            }
            // A downgrade releases the exclusive hold (contract §3.1): of a context not held, or held shared, it is MM1002.
            foreach (var (context, _) in call.Downgrades)
            {
                var held = before.Find(context.Key);
                if (held == null)
                    Report(Descriptors.MM1002, location, Also(), ContextProperty(context.Key, DiagnosticProperties.NotHeld), context.Display, "which is not held");
                else if (held.Definite && held.Mode == Mode.Shared && (held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) == 0)
                    Report(Descriptors.MM1002, location, Also(held.AcquiredAt), ContextProperty(context.Key, DiagnosticProperties.WrongMode), context.Display,
                        "as exclusive, but it is held shared");
            }
        }

        // ---- guarded members -------------------------------------------------------------------------

        public void OnAccess(IOperation access, ISymbol member, IOperation? instance, bool write, FlowState state, BodyAnalysis body)
        {
            var guard = body.Model.GuardOf(member);
            if (guard == null) return;
            if (body.Owner is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } ctor &&
                SymbolEqualityComparer.Default.Equals(ctor.ContainingType, member.ContainingType) &&
                (member.IsStatic || instance is Microsoft.CodeAnalysis.Operations.IInstanceReferenceOperation)) return;
            if (InitializesNewInstance(instance, body)) return;

            var contexts = body.Paths.GuardContexts(guard, access, member, instance);
            if (contexts.Count == 0) return;
            var verb = write ? "Writing" : "Reading";
            var location = access.Syntax.GetLocation();
            if (!write && guard.ReadAny)
            {
                if (contexts.Any(c => Satisfaction.Satisfier(state, c, Mode.Either) != null)) return;
                Report(Descriptors.MM1007, location, Also(), verb, member.Name, "holding " + Alternatives(contexts.Select(c => c.Display)));
                return;
            }
            foreach (var context in contexts)
            {
                if (Satisfaction.Satisfier(state, context, write ? Mode.Exclusive : Mode.Either) != null) continue;
                Report(Descriptors.MM1007, location, Also(), verb, member.Name, "holding '" + context.Display + "'" + (write ? " exclusively" : ""));
            }
        }

        /// <summary>An object initializer (<c>new C { count = 1 }</c>) initializes the instance it creates: exempt like its constructor.</summary>
        private static bool InitializesNewInstance(IOperation? instance, BodyAnalysis body)
        {
            if (instance == null) return false;
            instance = Paths.Unwrap(instance);
            if (instance is Microsoft.CodeAnalysis.Operations.IInstanceReferenceOperation { ReferenceKind: Microsoft.CodeAnalysis.Operations.InstanceReferenceKind.ImplicitReceiver })
                return true;
            return instance is Microsoft.CodeAnalysis.FlowAnalysis.IFlowCaptureReferenceOperation capture &&
                   body.Paths.CapturedValue(capture.Id) is { } captured && Paths.Unwrap(captured) is Microsoft.CodeAnalysis.Operations.IObjectCreationOperation;
        }

        // ---- await, exits, joins, guarded references --------------------------------------------------

        public void OnGuardDisposedAgain(IOperation dispose, IReadOnlyList<Held> disposed, BodyAnalysis body)
        {
            // The pseudo-context's acquire location is the first disposal.
            foreach (var context in disposed)
                Report(Descriptors.MM1002, dispose.Syntax.GetLocation(), Also(context.AcquiredAt), ContextProperty(context.Key.Substring(BodyAnalysis.DisposedPrefix.Length), DiagnosticProperties.NotHeld),
                    context.Context.Display, "which is not held");
        }

        public void OnSuspend(IOperation operation, string what, FlowState state, BodyAnalysis body)
        {
            foreach (var held in state.DefiniteContexts)
                Report(Descriptors.MM1010, CallSite.LocationOf(operation), Also(held.AcquiredAt), ContextProperty(held.Key), held.Context.Display, what,
                    held.AcquiredAt != null ? BodyAnalysis.Line(held.AcquiredAt) : BodyAnalysis.Line(body.OwnerSyntax.GetLocation()));
        }

        public void OnReferenceUse(IOperation use, string name, GuardedReference reference, FlowState state, BodyAnalysis body)
        {
            if (!reference.Expired || reference.ReleasedAt == null) return;
            var lookup = reference.LookupAt.SourceSpan;
            var properties = DiagnosticProperties.Of((DiagnosticProperties.Context, reference.LastReleasedKey),
                (DiagnosticProperties.Lookup, lookup.Start + ":" + lookup.Length));
            Report(Descriptors.MM2005, use.Syntax.GetLocation(), Also(reference.ReleasedAt), properties, name, reference.Lookup, reference.LastReleased ?? "?", BodyAnalysis.Line(reference.ReleasedAt));
        }

        public void OnReferenceEscape(Location at, string? name, GuardedReference reference, string how, FlowState state, BodyAnalysis body)
        {
            var guards = reference.Expired ? new[] { reference.LastReleased ?? "?" } : reference.Covering.Select(k => state.Find(k)?.Context.Display ?? k).OrderBy(d => d, System.StringComparer.Ordinal).ToArray();
            var lookup = reference.LookupAt.SourceSpan;
            var properties = DiagnosticProperties.Of((DiagnosticProperties.Lookup, lookup.Start + ":" + lookup.Length));
            Report(Descriptors.MM2005Escape, at, Also(reference.LookupAt), properties, reference.Lookup, name != null ? " in '" + name + "'" : "",
                string.Join(", ", guards.Select(g => "'" + g + "'")), how);
        }

        public void OnExit(Location location, FlowState state, BodyAnalysis body, IOperation? returned)
        {
            // A try-acquire body keeps its contract per returned value: held where it returns success, not held where it returns failure.
            var nameLocation = NameLocation(body);
            HashSet<string>? failed = null;
            foreach (var tryAcquire in body.OwnContract.TryAcquires)
            {
                var instance = body.EntryInstance(tryAcquire.Template);
                switch (TryOutcome(tryAcquire.Success, returned))
                {
                    case true when state.Find(instance.Key) is not { Definite: true }:
                        Report(Descriptors.MM1008, nameLocation, Also(), ContextProperty(instance.Key, "acquire"), CallSite.DisplayName(body.Owner), "acquire", instance.Display);
                        break;
                    case false:
                        (failed ??= new HashSet<string>()).Add(instance.Key);
                        break;
                }
            }

            ReportUntestedResults(location, state, body, returned);

            foreach (var held in state.DefiniteContexts)
                if (!held.Assumed && (!body.HeldAtExitByContract.Contains(held.Key) || failed?.Contains(held.Key) == true))
                    Report(Descriptors.MM1004, location, Also(held.AcquiredAt), ContextProperty(held.Key), held.Context.Display, CallSite.DisplayName(body.Owner), BodyAnalysis.Line(held.AcquiredAt));

            foreach (var template in body.OwnContract.Acquires)
            {
                var instance = body.EntryInstance(template);
                if (state.Find(instance.Key) is not { Definite: true } held)
                    Report(Descriptors.MM1008, nameLocation, Also(), ContextProperty(instance.Key, "acquire"), CallSite.DisplayName(body.Owner), "acquire", instance.Display);
                else if (template.Mode != Mode.Either && held.Mode != template.Mode && (held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) == 0)
                {
                    // Acquired in the other mode than the contract states (contract §3.1).
                    var how = template.Mode == Mode.Shared ? "acquire shared" : "acquire exclusively";
                    Report(Descriptors.MM1008, nameLocation, Also(held.AcquiredAt), ContextProperty(instance.Key, "mode"), CallSite.DisplayName(body.Owner), how, instance.Display);
                }
            }
            // A Requires* body that releases what it requires leaves its callers without it (contract §3.1).
            var released = body.OwnContract.Releases.IsEmpty ? null : new HashSet<string>(body.OwnContract.Releases.Select(t => body.EntryInstance(t).Key));
            // An inferred contract is what the body does: it has nothing to keep.
            foreach (var clause in body.OwnContract.Inferred ? ImmutableArray<Clause>.Empty : body.OwnContract.Clauses)
            {
                if (clause.Kind != ClauseKind.Requires || clause.Alternatives.Length != 1) continue;
                var instance = body.EntryInstance(clause.Alternatives[0]);
                if (instance.Existential || released?.Contains(instance.Key) == true || state.Find(instance.Key) is { Definite: true }) continue;
                Report(Descriptors.MM1008, nameLocation, Also(), ContextProperty(instance.Key, "keep"), CallSite.DisplayName(body.Owner), "keep holding", instance.Display);
            }
            foreach (var template in body.OwnContract.Releases)
            {
                var instance = body.EntryInstance(template);
                if (state.Find(instance.Key) != null)
                    Report(Descriptors.MM1008, nameLocation, Also(), ContextProperty(instance.Key, "release"), CallSite.DisplayName(body.Owner), "release", instance.Display);
            }
        }

        /// <summary>
        /// Whether a returned value is a try-acquire's success (contract §3.1 reads integers as C does): null when the value is
        /// not a constant (or, for "nonnull", neither <c>null</c> nor a new object), so the exit is not checked.
        /// </summary>
        private static bool? TryOutcome(object? success, IOperation? returned)
        {
            if (returned == null) return null;
            var value = Paths.Unwrap(returned);
            var constant = value.ConstantValue;
            if (success is string nonnull && nonnull == "nonnull")
                return constant.HasValue && constant.Value == null ? false : value is Microsoft.CodeAnalysis.Operations.IObjectCreationOperation ? true : null;
            if (!constant.HasValue) return null;
            if (success is bool expected) return constant.Value is bool actual ? actual == expected : null;
            if (Integer(success) is { } wanted && Integer(constant.Value) is { } got) return wanted == 0 ? got == 0 : got != 0;
            return null;
        }

        private static long? Integer(object? value) => value switch
        {
            int i => i,
            long l => l,
            short s => s,
            sbyte b => b,
            byte b => b,
            ushort u => u,
            uint u => u,
            _ => null,
        };

        private static Location NameLocation(BodyAnalysis body) => body.OwnerSyntax switch
        {
            MethodDeclarationSyntax method => method.Identifier.GetLocation(),
            ConstructorDeclarationSyntax ctor => ctor.Identifier.GetLocation(),
            LocalFunctionStatementSyntax local => local.Identifier.GetLocation(),
            AccessorDeclarationSyntax accessor => accessor.Keyword.GetLocation(),
            AnonymousFunctionExpressionSyntax lambda => lambda.ArrowToken().GetLocation(),
            _ => body.Owner.Locations.FirstOrDefault() ?? body.OwnerSyntax.GetLocation(),
        };

        /// <summary>
        /// A stored try-acquire result no branch tested on some path to this exit: its success and failure join here, so what it
        /// acquires is held on some paths (MM1005 at the try-acquire). A try-acquire member returning it passes it on.
        /// </summary>
        private void ReportUntestedResults(Location exit, FlowState state, BodyAnalysis body, IOperation? returned)
        {
            if (state.Facts.IsEmpty) return;
            var passedOn = returned != null && !body.OwnContract.TryAcquires.IsEmpty ? body.FactOf(returned, state) : null;
            foreach (var fact in state.Facts.Values.Where(f => !f.Tested && !f.Acquired.IsEmpty && f.Acquired != passedOn?.Acquired))
            {
                var pending = fact.Acquired.Where(h => !h.Pseudo && state.Find(h.Key) == null).ToList();
                if (pending.Count == 0) continue;
                var succeeded = pending.Aggregate(state, (s, h) => s.WithHeld(h));
                var joined = pending.Aggregate(state, (s, h) => s.WithHeld(h.With(maybe: true)));
                OnJoin(exit, new[] { succeeded, state }, joined, body);
            }
        }

        public void OnJoin(Location join, IReadOnlyList<FlowState> incoming, FlowState joined, BodyAnalysis body)
        {
            if (incoming.Count < 2) return;
            var keys = new List<string>();
            foreach (var state in incoming)
                foreach (var held in state.DefiniteContexts)
                    if (!keys.Contains(held.Key)) keys.Add(held.Key);
            foreach (var key in keys)
            {
                // Not held after the join: a try-acquire's result now says where it is held (trylock(l) ? 0 : -16).
                if (joined.Find(key) == null) continue;
                var definite = incoming.Select(s => s.Find(key)).Where(h => h is { Definite: true }).Select(h => h!).ToList();
                var held = definite[0];
                // A scoped guard disposed early on some paths: its disposal ends the context on the others too (contract §3.1).
                if (held.Guard != null && incoming.Any(s => s.Find(BodyAnalysis.DisposedPrefix + key) != null)) continue;
                if (definite.Count == incoming.Count)
                {
                    // Held on every path: only a mode that differs makes it maybe-held, reported at the exclusive acquire.
                    if ((held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0 || definite.All(h => h.Mode == held.Mode)) continue;
                    held = definite.First(h => h.Mode == Mode.Exclusive);
                }
                var anchor = held.AcquiredAt ?? incoming.Select(s => s.Released.TryGetValue(key, out var at) ? at : null).FirstOrDefault(l => l != null);
                if (anchor == null || !_joined.Add(key + "@" + anchor.SourceSpan)) continue;
                Report(Descriptors.MM1005, anchor, Also(join), ContextProperty(key), held.Context.Display, BodyAnalysis.Line(join));
            }
        }
    }

    internal static class SyntaxExtensions
    {
        public static SyntaxToken ArrowToken(this AnonymousFunctionExpressionSyntax lambda) => lambda switch
        {
            SimpleLambdaExpressionSyntax simple => simple.ArrowToken,
            ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ArrowToken,
            AnonymousMethodExpressionSyntax anonymous => anonymous.DelegateKeyword,
            _ => lambda.GetFirstToken(),
        };
    }
}
