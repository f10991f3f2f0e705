// Aim.Orders.Maps: the maps and pipelines of the Aim.Orders BizTalk
// application (a BizTalkAssembly resource); uses Aim.Common. Sample input
// for asmgate tests; see samples/biztalk/README.md.
using System.Reflection;

[assembly: AssemblyTitle("Aim.Orders.Maps")]
[assembly: AssemblyCompany("Contoso Ltd. (test sample)")]
[assembly: AssemblyVersion("1.0.0.0")]
[assembly: AssemblyFileVersion("1.0.0.0")]

namespace Aim.Orders.Maps
{
    public sealed class OrderToInvoice
    {
        public string Transform(string order)
        {
            return "<Invoice>" + Aim.Common.Text.Normalize(order) +
                "</Invoice>";
        }
    }
}

namespace Aim.Orders.Pipelines
{
    public sealed class FlatFileSend
    {
        public string Name { get { return "FlatFileSend"; } }
    }
}
