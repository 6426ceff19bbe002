namespace MmDownstream
{
    public static class Uses
    {
        // An MM1001 where the analyzers run; here they must not.
        public static void set_pte_unlocked() => MmSample.Mm.set_pte_locked(new MmSample.mm_struct(), 1);
    }
}
