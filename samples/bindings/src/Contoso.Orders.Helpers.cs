// Contoso.Orders.Helpers: no binding names it; the orchestrations
// reference it, so it runs in their host (the dependency closure).
using System.Reflection;
[assembly: AssemblyVersion("1.0.0.0")]
namespace Contoso.Orders.Helpers
{
    public static class Guard
    {
        public static bool IsValidOrderId(string id)
        {
            return id != null && id.Length > 0 && id.Length <= 32;
        }
    }
}
