using MmLock;

namespace Showcase
{
    /// <summary>Annotation mistakes, MM9001–MM9004.</summary>
    public static class AnnotationRules
    {
        [Requires("mm.mmap_sem")]
        public static void MM9001_unresolved(mm_struct mm) { }

        [Requires("mm.mmap_lock", When = "CONFIG_A &&")]
        public static void MM9002_malformed_condition(mm_struct mm) { }

        [Acquires("mm.mmap_lock"), Releases("mm.mmap_lock"), NoLockAnalysis("contradiction shown, not run")]
        public static void MM9003_acquires_and_releases(mm_struct mm) { }

        [NoLockAnalysis("")]
        public static void MM9004_no_justification() { }
    }

    public static class Program
    {
        public static void Main() => System.Console.WriteLine("MmLockAnalyzers showcase: build it to see every rule.");
    }
}
