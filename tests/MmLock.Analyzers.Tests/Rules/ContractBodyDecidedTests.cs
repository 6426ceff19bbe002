using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Contract §3.1 decided cases on bodies: Requires* bodies that release, Acquires* bodies in the wrong mode, downgrades.</summary>
    public class ContractBodyDecidedTests
    {
        [Fact]
        public Task RequiresBody_ReleasingWhatItRequires_IsMM1008() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void {|#0:drop|}(spinlock_t l) { L.spin_unlock(l); }
    [RequiresShared(""s"")] static void {|#1:drop_read|}(rw_semaphore s, bool c) { if (c) { L.up_read(s); return; } }
}", Diag("MM1008").WithLocation(0).WithNoAdditionalLocations().WithMessage("'drop' does not keep holding 'l' on every path"),
    Diag("MM1008").WithLocation(1).WithNoAdditionalLocations().WithMessage("'drop_read' does not keep holding 's' on every path"));

        [Fact]
        public Task RequiresBody_ReleasingAndRetaking_OrAlsoReleases_IsClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void relock(spinlock_t l) { L.spin_unlock(l); L.spin_lock(l); }
    [Requires(""l""), Releases(""l"")] static void done(spinlock_t l) { L.spin_unlock(l); }
    [RequiresAny(""a"", ""b"")] static void either(spinlock_t a, spinlock_t b) { }
}");

        [Fact]
        public Task AcquiresBody_InTheOtherMode_IsMM1008() => Verify(@"
using MmLock; using K;
class C {
    [AcquiresShared(""s"")] static void {|#0:read_lock|}(rw_semaphore s) { {|#1:L.down_write(s)|}; }
    [Acquires(""s"")] static void {|#2:write_lock|}(rw_semaphore s) { {|#3:L.down_read(s)|}; }
    [AcquiresShared(""s"")] static void ok(rw_semaphore s) { L.down_read(s); }
}", Diag("MM1008").WithLocation(0).WithAdditionalLocation(1).WithMessage("'read_lock' does not acquire shared 's' on every path"),
    Diag("MM1008").WithLocation(2).WithAdditionalLocation(3).WithMessage("'write_lock' does not acquire exclusively 's' on every path"));

        [Fact]
        public Task Downgrade_OfASharedOrUnheldContext_IsMM1002() => Verify(@"
using MmLock; using K;
class C {
    static void shared(rw_semaphore s) { {|#0:L.down_read(s)|}; {|#1:L.downgrade_write(s)|}; L.up_read(s); }
    static void unheld(rw_semaphore s) { {|#2:L.downgrade_write(s)|}; }
    static void ok(rw_semaphore s) { L.down_write(s); L.downgrade_write(s); L.up_read(s); }
    [Downgrades(""s"")] static void wrapper(rw_semaphore s) => L.downgrade_write(s);
}", Diag("MM1002").WithLocation(1).WithAdditionalLocation(0).WithMessage("Releasing 's', as exclusive, but it is held shared"),
    Diag("MM1002").WithLocation(2).WithNoAdditionalLocations().WithMessage("Releasing 's', which is not held"));
    }
}
