// A tiny library compiled twice, as TestKey2048 and TestKey4096, to give
// signed samples with 2048-bit and 4096-bit keys (256- and 512-byte slots).
using System.Reflection;

[assembly: AssemblyTitle("Key-size test library")]
[assembly: AssemblyCompany("asmgate test samples")]
[assembly: AssemblyVersion("1.0.0.0")]

namespace AsmGate.Samples
{
    public static class KeySize
    {
        public static string Describe()
        {
            return "signed with a throwaway test key";
        }
    }
}
