// Contoso.Orders.Maps: a send port's map, run in its send handler host.
using System.Reflection;
using Contoso.Orders.Schemas;
[assembly: AssemblyVersion("1.0.0.0")]
namespace Contoso.Orders.Maps
{
    public class Order_to_Ack
    {
        public OrderAck Map(Order o) { return new OrderAck { Id = o.Id }; }
    }
}
