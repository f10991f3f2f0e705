// Aim.Common: a plain .NET dependency of the Aim.Orders BizTalk
// application (resource type System.BizTalk:Assembly). Sample input for
// asmgate tests; see samples/biztalk/README.md for how it is built.
using System.Reflection;

[assembly: AssemblyTitle("Aim.Common")]
[assembly: AssemblyCompany("Fabrikam (test sample)")]
[assembly: AssemblyVersion("3.1.0.0")]
[assembly: AssemblyFileVersion("3.1.0.0")]

namespace Aim.Common
{
    public static class Text
    {
        public static string Normalize(string s)
        {
            return s == null ? "" : s.Trim().ToUpperInvariant();
        }
    }
}
