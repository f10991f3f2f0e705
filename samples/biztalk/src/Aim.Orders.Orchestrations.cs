// Aim.Orders.Orchestrations: the orchestrations of the Aim.Orders
// BizTalk application (a BizTalkAssembly resource); uses Aim.Orders.Maps
// and Aim.Common. Sample input for asmgate tests; see
// samples/biztalk/README.md.
using System.Reflection;

[assembly: AssemblyTitle("Aim.Orders.Orchestrations")]
[assembly: AssemblyCompany("Contoso Ltd. (test sample)")]
[assembly: AssemblyVersion("1.0.0.0")]
[assembly: AssemblyFileVersion("1.0.0.0")]

namespace Aim.Orders.Orchestrations
{
    public sealed class ProcessOrder
    {
        public string Run(string order)
        {
            var map = new Aim.Orders.Maps.OrderToInvoice();
            return map.Transform(Aim.Common.Text.Normalize(order));
        }
    }
}
