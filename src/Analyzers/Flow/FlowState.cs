using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
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
        public TryFact(ImmutableArray<Held> acquired, object? success, bool? constant = null)
        {
            Acquired = acquired;
            Success = success;
            Constant = constant;
        }

        public ImmutableArray<Held> Acquired { get; }
        public object? Success { get; }
        /// <summary>A literal <c>true</c>/<c>false</c> stored on some path (<c>a &amp;&amp; trylock()</c> lowers to one).</summary>
        public bool? Constant { get; }
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

        private FlowState Copy() => new FlowState(false) { Held = Held, Released = Released, Facts = Facts, References = References };

        public FlowState WithHeld(Held held)
        {
            var copy = Copy();
            copy.Held = Held.SetItem(held.Key, held);
            return copy;
        }

        public FlowState WithoutHeld(string key, Location? releasedAt)
        {
            var copy = Copy();
            copy.Held = Held.Remove(key);
            if (releasedAt != null)
            {
                copy.Released = Released.SetItem(key, releasedAt);
                var display = Find(key)?.Context.Display ?? key;
                copy.References = References.ToImmutableDictionary(p => p.Key, p => Expire(p.Value, key, display, releasedAt));
            }
            return copy;
        }

        private static GuardedReference Expire(GuardedReference reference, string key, string display, Location at) =>
            reference.Covering.Contains(key) ? reference.Releasing(key, display, at) : reference;

        public FlowState WithFact(object key, TryFact? fact)
        {
            var copy = Copy();
            copy.Facts = fact == null ? Facts.Remove(key) : Facts.SetItem(key, fact);
            return copy;
        }

        public FlowState WithReference(object key, GuardedReference? reference)
        {
            var copy = Copy();
            copy.References = reference == null ? References.Remove(key) : References.SetItem(key, reference);
            return copy;
        }

        /// <summary>Drops what was known of intermediate operation results, which do not outlive their block.</summary>
        public FlowState WithoutTransient()
        {
            if (IsUnreachable || (!Facts.Keys.Any(k => k is IOperation) && !References.Keys.Any(k => k is IOperation))) return this;
            var copy = Copy();
            copy.Facts = Facts.Where(p => p.Key is not IOperation).ToImmutableDictionary();
            copy.References = References.Where(p => p.Key is not IOperation).ToImmutableDictionary();
            return copy;
        }

        public Held? Find(string key) => Held.TryGetValue(key, out var held) ? held : null;

        public static FlowState Join(FlowState a, FlowState b)
        {
            if (a.IsUnreachable) return b;
            if (b.IsUnreachable) return a;
            var held = ImmutableDictionary.CreateBuilder<string, Held>();
            foreach (var pair in a.Held)
            {
                if (b.Held.TryGetValue(pair.Key, out var other))
                    held[pair.Key] = pair.Value.SameAs(other) ? pair.Value : pair.Value.With(maybe: true);
                else
                    held[pair.Key] = pair.Value.With(maybe: true);
            }
            foreach (var pair in b.Held)
                if (!a.Held.ContainsKey(pair.Key)) held[pair.Key] = pair.Value.With(maybe: true);

            var released = a.Released;
            foreach (var pair in b.Released)
                if (!released.ContainsKey(pair.Key)) released = released.Add(pair.Key, pair.Value);

            var facts = ImmutableDictionary.CreateBuilder<object, TryFact>();
            foreach (var pair in a.Facts)
                if (b.Facts.TryGetValue(pair.Key, out var other) && JoinFacts(pair.Value, other) is { } joined) facts[pair.Key] = joined;

            var references = ImmutableDictionary.CreateBuilder<object, GuardedReference>();
            foreach (var pair in a.References)
            {
                if (!b.References.TryGetValue(pair.Key, out var other)) continue;
                var covering = pair.Value.Covering.Intersect(other.Covering);
                var expiredBy = pair.Value.Expired ? pair.Value : other.Expired ? other : pair.Value.LastReleased != null ? pair.Value : other;
                references[pair.Key] = new GuardedReference(pair.Value.Lookup, pair.Value.LookupAt, covering, expiredBy.LastReleased, expiredBy.LastReleasedKey, expiredBy.ReleasedAt);
            }

            return new FlowState(false) { Held = held.ToImmutable(), Released = released, Facts = facts.ToImmutable(), References = references.ToImmutable() };
        }

        private static TryFact? JoinFacts(TryFact a, TryFact b)
        {
            if (ReferenceEquals(a, b)) return a;
            // A literal that means "not acquired" on one path keeps the other path's fact (a && trylock(l)).
            if (a.Constant is bool ca && b.Constant == null && b.Success is bool sb && ca != sb) return b;
            if (b.Constant is bool cb && a.Constant == null && a.Success is bool sa && cb != sa) return a;
            if (a.Constant != null && a.Constant == b.Constant) return a;
            return null;
        }

        public bool EquivalentTo(FlowState other)
        {
            if (IsUnreachable || other.IsUnreachable) return IsUnreachable == other.IsUnreachable;
            if (Held.Count != other.Held.Count || Facts.Count != other.Facts.Count || References.Count != other.References.Count) return false;
            foreach (var pair in Held)
                if (!other.Held.TryGetValue(pair.Key, out var held) || !held.SameAs(pair.Value)) return false;
            foreach (var pair in Facts)
                if (!other.Facts.TryGetValue(pair.Key, out var fact) || !ReferenceEquals(fact, pair.Value)) return false;
            foreach (var pair in References)
                if (!other.References.TryGetValue(pair.Key, out var reference) || !reference.Covering.SetEquals(pair.Value.Covering)) return false;
            return true;
        }

        public IEnumerable<Held> DefiniteContexts => Held.Values.Where(h => h.Definite && !h.Pseudo);
    }
}
