namespace MmSample
{
    public static class Helpers
    {
        public static void clear_pte(mm_struct mm)
        {
            Mm.set_pte_locked(mm, 0); // expect: MM1001
        }
    }
}
