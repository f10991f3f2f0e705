// Contoso.Orders.Orchestrations: bound to OrchestrationHost by the
// binding file (Service/Host).
using System.Reflection;
using Contoso.Orders.Helpers;
using Contoso.Orders.Schemas;
[assembly: AssemblyVersion("1.2.0.0")]
namespace Contoso.Orders.Orchestrations
{
    public class ProcessOrder
    {
        public bool Run(Order o) { return Guard.IsValidOrderId(o.Id); }
    }
}
