// Contoso.Orders.Pipelines: the receive location's receive pipeline and
// the send port's transmit pipeline.
using System.Reflection;
using Contoso.Orders.Schemas;
[assembly: AssemblyVersion("1.0.0.0")]
namespace Contoso.Orders.Pipelines
{
    public class FlatReceive { public Order Parse(string s) { return new Order { Id = s }; } }
    public class FlatSend { public string Format(Order o) { return o.Id; } }
}
