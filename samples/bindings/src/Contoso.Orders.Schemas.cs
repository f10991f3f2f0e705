// Contoso.Orders.Schemas: message schemas; tracked by the orchestrations'
// module and used by the maps and pipelines.
using System.Reflection;
[assembly: AssemblyVersion("1.0.0.0")]
namespace Contoso.Orders.Schemas
{
    public class Order { public string Id; public decimal Total; }
    public class OrderAck { public string Id; }
}
