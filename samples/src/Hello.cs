// Hello: a minimal signed console executable (samples/valid/hello.exe).
using System;
using System.Reflection;

[assembly: AssemblyTitle("Hello")]
[assembly: AssemblyCompany("asmgate test samples")]
[assembly: AssemblyVersion("1.0.0.0")]

namespace AsmGate.Samples
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            Console.WriteLine("Hello from an asmgate test sample.");
            return 0;
        }
    }
}
