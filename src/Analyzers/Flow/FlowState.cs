using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;

namespace MmLock.Analyzers.Flow
{
    /// <summary>One held context at a program point.</summary>
    internal sealed class Held
    {
        public Held(ContextInstance context, Mode mode, int count, Location? acquiredAt, bool assumed, bool maybe, object? guard, ContextFlags flags, bool pseudo = false)
        {
            Context = context;
            Mode = mode;
            Count = count;
            AcquiredAt = acquiredAt;
            Assumed = assumed;
            Maybe = maybe;
            Guard = guard;
            Flags = flags;
            Pseudo = pseudo;
        }

        public ContextInstance Context { get; }
        public Mode Mode { get; }
        /// <summary>Nesting count of a reentrant context; 1 otherwise.</summary>
        public int Count { get; }
        /// <summary>The acquire in this body; null when held on entry.</summary>
        public Location? AcquiredAt { get; }
        /// <summary>Held by the member's own contract or an assertion, not acquired here.</summary>
        public bool Assumed { get; }
        /// <summary>Held on some paths only: satisfies nothing, and releasing or re-acquiring it reports nothing.</summary>
        public bool Maybe { get; }
        /// <summary>The scoped-guard local (or flow capture) whose disposal releases it.</summary>
        public object? Guard { get; }
        public ContextFlags Flags { get; }
        /// <summary>A fact that is not a real context (a passed online check).</summary>
        public bool Pseudo { get; }

        public string Key => Context.Key;
        public bool Definite => !Maybe;

        public Held With(Mode? mode = null, int? count = null, bool? maybe = null) =>
            new Held(Context, mode ?? Mode, count ?? Count, AcquiredAt, Assumed, maybe ?? Maybe, Guard, Flags, Pseudo);

        public bool SameAs(Held other) =>
            Mode == other.Mode && Count == other.Count && Maybe == other.Maybe && Equals(Guard, other.Guard);
    }

    /// <summary>What a tested value says: the contexts held when it equals <see cref="Success"/>.</summary>
    internal sealed class TryFact
    {
        public TryFact(ImmutableArray<Held> acquired, object? success, object? constant = null, bool tested = false)
        {
            Acquired = acquired;
            Success = success;
            Constant = constant;
            Tested = tested;
        }

        public ImmutableArray<Held> Acquired { get; }
        public object? Success { get; }
        /// <summary>A literal stored on this path (<c>a &amp;&amp; trylock()</c> and <c>trylock() ? 0 : -16</c> lower to one).</summary>
        public object? Constant { get; }
        /// <summary>A branch tested the result on every path here: each path knows the outcome, so losing it loses nothing.</summary>
        public bool Tested { get; }

        public TryFact AsTested() => Tested ? this : new TryFact(Acquired, Success, Constant, tested: true);

        /// <summary>Structural equality: each visit of a loop makes new facts, and the fixed point compares them.</summary>
        public bool SameAs(TryFact other) => SameOutcomeAs(other) && Tested == other.Tested;

        public bool SameOutcomeAs(TryFact other)
        {
            if (ReferenceEquals(this, other)) return true;
            if (!Equals(Success, other.Success) || !Equals(Constant, other.Constant) || Acquired.Length != other.Acquired.Length) return false;
            for (int i = 0; i < Acquired.Length; i++)
                if (Acquired[i].Key != other.Acquired[i].Key || !Acquired[i].SameAs(other.Acquired[i])) return false;
            return true;
        }
    }

    /// <summary>A reference returned by a [ReturnsGuarded] call and the contexts still covering it.</summary>
    internal sealed class GuardedReference
    {
        public GuardedReference(string lookup, Location lookupAt, ImmutableHashSet<string> covering, string? lastReleased, string? lastReleasedKey, Location? releasedAt)
        {
            Lookup = lookup;
            LookupAt = lookupAt;
            Covering = covering;
            LastReleased = lastReleased;
            LastReleasedKey = lastReleasedKey;
            ReleasedAt = releasedAt;
        }

        public string Lookup { get; }
        /// <summary>The [ReturnsGuarded] call that produced the reference.</summary>
        public Location LookupAt { get; }
        public ImmutableHashSet<string> Covering { get; }
        public string? LastReleased { get; }
        public string? LastReleasedKey { get; }
        public Location? ReleasedAt { get; }
        public bool Expired => Covering.IsEmpty;

        public GuardedReference Releasing(string key, string display, Location at) =>
            new GuardedReference(Lookup, LookupAt, Covering.Remove(key), display, key, at);
    }

    /// <summary>The abstract state: held contexts, where contexts were last released, try-acquire facts, guarded references.</summary>
    internal sealed class FlowState
    {
        public static readonly FlowState Unreachable = new FlowState(true);
        public static readonly FlowState Empty = new FlowState(false);

        private FlowState(bool unreachable) { IsUnreachable = unreachable; }

        public bool IsUnreachable { get; private set; }
        public ImmutableDictionary<string, Held> Held { get; private set; } = ImmutableDictionary<string, Held>.Empty;
        public ImmutableDictionary<string, Location> Released { get; private set; } = ImmutableDictionary<string, Location>.Empty;
        public ImmutableDictionary<object, TryFact> Facts { get; private set; } = ImmutableDictionary<object, TryFact>.Empty;
        public ImmutableDictionary<object, GuardedReference> References { get; private set; } = ImmutableDictionary<object, GuardedReference>.Empty;
        /// <summary>What a tested value is known to be on this path: equal (or not) to a constant.</summary>
        public ImmutableDictionary<object, (bool Equal, object? Value)> Known { get; private set; } = ImmutableDictionary<object, (bool, object?)>.Empty;

        private FlowState Copy() => new FlowState(false) { Held = Held, Released = Released, Facts = Facts, References = References, Known = Known };

        /// <summary>The state where <paramref name="key"/> also satisfies the constraint; unreachable when what is known contradicts it.</summary>
        public FlowState WithKnown(object key, bool equal, object? value)
        {
            if (Known.TryGetValue(key, out var known))
            {
                bool same = Equals(known.Value, value);
                if (known.Equal && (equal ? !same : same) || !known.Equal && equal && same) return Unreachable;
                if (known.Equal) return this;
            }
            var copy = Copy();
            copy.Known = Known.SetItem(key, (equal, value));
            return copy;
        }

        public FlowState WithoutKnown(object key)
        {
            if (!Known.ContainsKey(key)) return this;
            var copy = Copy();
            copy.Known = Known.Remove(key);
            return copy;
        }

        // The With* methods return this state when nothing changes (the same dictionary comes back): most transfers change nothing.
        // Not the unreachable state, which a copy makes reachable.
        public FlowState WithHeld(Held held)
        {
            var map = Held.SetItem(held.Key, held);
            if (ReferenceEquals(map, Held) && !IsUnreachable) return this;
            var copy = Copy();
            copy.Held = map;
            return copy;
        }

        public FlowState WithoutHeld(string key, Location? releasedAt)
        {
            var map = Held.Remove(key);
            if (releasedAt == null && ReferenceEquals(map, Held) && !IsUnreachable) return this;
            var copy = Copy();
            copy.Held = map;
            if (releasedAt != null)
            {
                copy.Released = Released.SetItem(key, releasedAt);
                if (!References.IsEmpty) copy.References = Expire(References, key, Find(key)?.Context.Display ?? key, releasedAt);
            }
            return copy;
        }

        /// <summary>The references <paramref name="key"/> covered, now released; the others are kept as they are, not copied.</summary>
        private static ImmutableDictionary<object, GuardedReference> Expire(ImmutableDictionary<object, GuardedReference> references, string key, string display, Location at)
        {
            var result = references;
            foreach (var pair in references)
                if (pair.Value.Covering.Contains(key)) result = result.SetItem(pair.Key, pair.Value.Releasing(key, display, at));
            return result;
        }

        public FlowState WithFact(object key, TryFact? fact)
        {
            var map = fact == null ? Facts.Remove(key) : Facts.SetItem(key, fact);
            if (ReferenceEquals(map, Facts) && !IsUnreachable) return this;
            var copy = Copy();
            copy.Facts = map;
            return copy;
        }

        public FlowState WithReference(object key, GuardedReference? reference)
        {
            var map = reference == null ? References.Remove(key) : References.SetItem(key, reference);
            if (ReferenceEquals(map, References) && !IsUnreachable) return this;
            var copy = Copy();
            copy.References = map;
            return copy;
        }

        /// <summary>Drops what was known of intermediate operation results, which do not outlive their block.</summary>
        public FlowState WithoutTransient()
        {
            if (IsUnreachable || !HasTransient(Facts) && !HasTransient(References) && !HasTransient(Known)) return this;
            var copy = Copy();
            copy.Facts = WithoutTransient(Facts);
            copy.References = WithoutTransient(References);
            copy.Known = WithoutTransient(Known);
            return copy;
        }

        // Loops over the struct enumerator: this runs at every block end and branch, and LINQ over Keys allocated three iterators each time.
        private static bool HasTransient<T>(ImmutableDictionary<object, T> map)
        {
            if (map.IsEmpty) return false;
            foreach (var pair in map)
                if (pair.Key is IOperation) return true;
            return false;
        }

        private static ImmutableDictionary<object, T> WithoutTransient<T>(ImmutableDictionary<object, T> map)
        {
            var result = map;
            foreach (var pair in map)
                if (pair.Key is IOperation) result = result.Remove(pair.Key);
            return result;
        }

        public Held? Find(string key) => Held.TryGetValue(key, out var held) ? held : null;

        /// <summary>
        /// The state on either path. A map both sides share, or that the join leaves as it is on <paramref name="a"/>, is
        /// kept, not rebuilt: most joins (a loop head visited again, the edges of a branch that changed nothing) change nothing.
        /// </summary>
        public static FlowState Join(FlowState a, FlowState b)
        {
            if (a.IsUnreachable) return b;
            if (b.IsUnreachable || ReferenceEquals(a, b)) return a;
            var held = JoinHeldMaps(a.Held, b.Held);
            var released = a.Released;
            if (!ReferenceEquals(released, b.Released))
                foreach (var pair in b.Released)
                    if (!released.ContainsKey(pair.Key)) released = released.Add(pair.Key, pair.Value);
            var facts = JoinFactMaps(a.Facts, b.Facts);
            var references = JoinReferenceMaps(a.References, b.References);
            var known = JoinKnownMaps(a.Known, b.Known);
            if (!ReferenceEquals(a.Held, b.Held))
            {
                DeferToCaptures(a, b, ref held, ref facts);
                DeferToCaptures(b, a, ref held, ref facts);
            }
            if (ReferenceEquals(held, a.Held) && ReferenceEquals(released, a.Released) && ReferenceEquals(facts, a.Facts)
                && ReferenceEquals(references, a.References) && ReferenceEquals(known, a.Known)) return a;
            return new FlowState(false) { Held = held, Released = released, Facts = facts, References = references, Known = known };
        }

        private static ImmutableDictionary<string, Held> JoinHeldMaps(ImmutableDictionary<string, Held> a, ImmutableDictionary<string, Held> b)
        {
            if (ReferenceEquals(a, b)) return a;
            if (a.Count == b.Count && AllKept(a, b)) return a;
            var held = ImmutableDictionary.CreateBuilder<string, Held>();
            foreach (var pair in a)
            {
                if (b.TryGetValue(pair.Key, out var other))
                    held[pair.Key] = JoinHeld(pair.Value, other);
                else
                    held[pair.Key] = pair.Value.With(maybe: true);
            }
            foreach (var pair in b)
                if (!a.ContainsKey(pair.Key)) held[pair.Key] = pair.Value.With(maybe: true);
            return held.ToImmutable();

            static bool AllKept(ImmutableDictionary<string, Held> a, ImmutableDictionary<string, Held> b)
            {
                foreach (var pair in a)
                    if (!b.TryGetValue(pair.Key, out var other) || !ReferenceEquals(JoinHeld(pair.Value, other), pair.Value)) return false;
                return true;
            }
        }

        private static ImmutableDictionary<object, TryFact> JoinFactMaps(ImmutableDictionary<object, TryFact> a, ImmutableDictionary<object, TryFact> b)
        {
            if (ReferenceEquals(a, b) || a.IsEmpty) return a;
            if (b.IsEmpty) return b;
            if (a.Count <= b.Count && AllKept(a, b)) return a;
            var facts = ImmutableDictionary.CreateBuilder<object, TryFact>();
            foreach (var pair in a)
                if (b.TryGetValue(pair.Key, out var other) && JoinFacts(pair.Value, other) is { } joined) facts[pair.Key] = joined;
            return facts.ToImmutable();

            static bool AllKept(ImmutableDictionary<object, TryFact> a, ImmutableDictionary<object, TryFact> b)
            {
                foreach (var pair in a)
                    if (!b.TryGetValue(pair.Key, out var other) || !ReferenceEquals(JoinFacts(pair.Value, other), pair.Value)) return false;
                return true;
            }
        }

        private static ImmutableDictionary<object, GuardedReference> JoinReferenceMaps(ImmutableDictionary<object, GuardedReference> a, ImmutableDictionary<object, GuardedReference> b)
        {
            if (ReferenceEquals(a, b) || a.IsEmpty) return a;
            if (b.IsEmpty) return b;
            var references = ImmutableDictionary.CreateBuilder<object, GuardedReference>();
            foreach (var pair in a)
            {
                if (!b.TryGetValue(pair.Key, out var other)) continue;
                var covering = pair.Value.Covering.Intersect(other.Covering);
                var expiredBy = pair.Value.Expired ? pair.Value : other.Expired ? other : pair.Value.LastReleased != null ? pair.Value : other;
                references[pair.Key] = new GuardedReference(pair.Value.Lookup, pair.Value.LookupAt, covering, expiredBy.LastReleased, expiredBy.LastReleasedKey, expiredBy.ReleasedAt);
            }
            return references.ToImmutable();
        }

        private static ImmutableDictionary<object, (bool Equal, object? Value)> JoinKnownMaps(ImmutableDictionary<object, (bool Equal, object? Value)> a,
            ImmutableDictionary<object, (bool Equal, object? Value)> b)
        {
            if (ReferenceEquals(a, b) || a.IsEmpty) return a;
            if (b.IsEmpty) return b;
            if (a.Count <= b.Count && AllKept(a, b)) return a;
            var known = ImmutableDictionary.CreateBuilder<object, (bool, object?)>();
            foreach (var pair in a)
                if (b.TryGetValue(pair.Key, out var other) && Same(pair.Value, other)) known[pair.Key] = pair.Value;
            return known.ToImmutable();

            static bool AllKept(ImmutableDictionary<object, (bool Equal, object? Value)> a, ImmutableDictionary<object, (bool Equal, object? Value)> b)
            {
                foreach (var pair in a)
                    if (!b.TryGetValue(pair.Key, out var other) || !Same(pair.Value, other)) return false;
                return true;
            }

            static bool Same((bool Equal, object? Value) x, (bool Equal, object? Value) y) => x.Equal == y.Equal && Equals(x.Value, y.Value);
        }

        /// <summary>
        /// A context acquired on path <paramref name="holding"/> only, where a compiler temporary holds a different constant on each
        /// path (<c>trylock(l) ? 0 : -16</c>) or a known one on the other (<c>trylock(l) &amp;&amp; c</c>): not maybe-held, but held
        /// where that value says it came from <paramref name="holding"/> (contract §3.1, stored results).
        /// </summary>
        private static void DeferToCaptures(FlowState holding, FlowState other, ref ImmutableDictionary<string, Held> held, ref ImmutableDictionary<object, TryFact> facts)
        {
            ImmutableArray<Held>.Builder? builder = null;
            foreach (var pair in holding.Held)
            {
                var h = pair.Value;
                if (h.Definite && !h.Assumed && !h.Pseudo && h.Guard == null && !other.Held.ContainsKey(h.Key)) (builder ??= ImmutableArray.CreateBuilder<Held>()).Add(h);
            }
            if (builder == null) return;
            var acquired = builder.ToImmutable();
            foreach (var pair in other.Facts)
            {
                if (pair.Key is not CaptureId || pair.Value.Constant is not { } otherValue) continue;
                object success;
                if (holding.Facts.TryGetValue(pair.Key, out var mine))
                {
                    if (mine.Constant == null || Equals(mine.Constant, otherValue)) continue;
                    success = mine.Constant;
                }
                else if (otherValue is bool value) success = !value;
                else continue;
                foreach (var h in acquired) held = held.Remove(h.Key);
                facts = facts.SetItem(pair.Key, new TryFact(acquired, success));
                return;
            }
        }

        /// <summary>
        /// A context held on both paths: a reentrant one with different counts is held with the lower count (contract §3.1);
        /// different modes or scoped guards make it maybe-held.
        /// </summary>
        private static Held JoinHeld(Held a, Held b)
        {
            if (a.SameAs(b)) return a;
            if (a.Definite && b.Definite && (a.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0 && Equals(a.Guard, b.Guard))
                return a.Count <= b.Count ? a : b;
            return a.With(maybe: true);
        }

        private static TryFact? JoinFacts(TryFact a, TryFact b)
        {
            if (a.SameAs(b)) return a;
            // Tested on one path only: on the other nothing knows the outcome yet.
            if (a.SameOutcomeAs(b)) return a.Tested ? b : a;
            // A literal that means "not acquired" on one path keeps the other path's fact (a && trylock(l)).
            if (a.Constant is bool ca && b.Constant == null && b.Success is bool sb && ca != sb) return b;
            if (b.Constant is bool cb && a.Constant == null && a.Success is bool sa && cb != sa) return a;
            if (a.Constant != null && Equals(a.Constant, b.Constant)) return a;
            return null;
        }

        public bool EquivalentTo(FlowState other)
        {
            if (IsUnreachable || other.IsUnreachable) return IsUnreachable == other.IsUnreachable;
            if (Held.Count != other.Held.Count || Facts.Count != other.Facts.Count || References.Count != other.References.Count || Known.Count != other.Known.Count) return false;
            foreach (var pair in Known)
                if (!other.Known.TryGetValue(pair.Key, out var known) || known.Equal != pair.Value.Equal || !Equals(known.Value, pair.Value.Value)) return false;
            foreach (var pair in Held)
                if (!other.Held.TryGetValue(pair.Key, out var held) || !held.SameAs(pair.Value)) return false;
            foreach (var pair in Facts)
                if (!other.Facts.TryGetValue(pair.Key, out var fact) || !fact.SameAs(pair.Value)) return false;
            foreach (var pair in References)
                if (!other.References.TryGetValue(pair.Key, out var reference) || !reference.Covering.SetEquals(pair.Value.Covering)) return false;
            return true;
        }

        /// <summary>Equivalent, and the same acquire and release sites (which messages name): a finally's result may be reused.</summary>
        public bool IdenticalTo(FlowState other)
        {
            if (!EquivalentTo(other) || Released.Count != other.Released.Count) return false;
            foreach (var pair in Held)
                if (!Equals(other.Held[pair.Key].AcquiredAt, pair.Value.AcquiredAt) || other.Held[pair.Key].Assumed != pair.Value.Assumed) return false;
            foreach (var pair in Released)
                if (!other.Released.TryGetValue(pair.Key, out var at) || !Equals(at, pair.Value)) return false;
            return true;
        }

        /// <summary>The contexts held on every path, real ones only; a struct enumerator, as the rules loop over it at every call.</summary>
        public DefiniteEnumerable DefiniteContexts => new DefiniteEnumerable(Held);

        public readonly struct DefiniteEnumerable
        {
            private readonly ImmutableDictionary<string, Held> _held;

            public DefiniteEnumerable(ImmutableDictionary<string, Held> held) { _held = held; }

            public Enumerator GetEnumerator() => new Enumerator(_held.GetEnumerator());

            public struct Enumerator
            {
                private ImmutableDictionary<string, Held>.Enumerator _inner;

                public Enumerator(ImmutableDictionary<string, Held>.Enumerator inner) { _inner = inner; }

                public Held Current => _inner.Current.Value;

                public bool MoveNext()
                {
                    while (_inner.MoveNext())
                        if (_inner.Current.Value is { Definite: true, Pseudo: false }) return true;
                    return false;
                }
            }
        }
    }
}
