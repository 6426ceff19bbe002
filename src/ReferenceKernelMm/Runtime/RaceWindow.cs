using System;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>
    /// Named points inside walkers where a stress run may widen a race window, standing for what stretches one in a
    /// real kernel (a long walk, an interrupt, a preempted vCPU). Nothing happens unless a driver installs <see cref="hook"/>.
    /// The hook only delays the thread: it is not a kernel sleep, so it is allowed with IRQs off.
    /// </summary>
    public static class RaceWindow
    {
        /// <summary>Called with the point's name; set once by a driver before its CPUs start.</summary>
        public static Action<string>? hook { get; set; }

        /// <summary>Marks a point where the walker may be held up.</summary>
        public static void at(string point) => hook?.Invoke(point);
    }
}
