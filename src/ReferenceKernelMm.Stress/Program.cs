using System;

namespace ReferenceKernelMm.Stress
{
    internal static class Program
    {
        private static int Main(string[] args) => StressMain.Run(args, Array.Empty<Variant>(), "ReferenceKernelMm.Stress");
    }
}
