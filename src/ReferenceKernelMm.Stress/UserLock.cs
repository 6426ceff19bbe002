using System;
using System.Threading;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.Stress
{
    /// <summary>
    /// The workload's own serialisation (which memory block, huge page or mapping an operation works on). A CPU waiting
    /// for it is in user space, not in the kernel: it still takes IPIs and stops for stop_machine.
    /// </summary>
    internal sealed class UserLock : IDisposable
    {
        private readonly object target;

        private UserLock(object target) { this.target = target; }

        public static UserLock hold(object target)
        {
            while (!Monitor.TryEnter(target, 1))
                Smp.interrupt_point();
            return new UserLock(target);
        }

        public void Dispose() => Monitor.Exit(target);
    }
}
