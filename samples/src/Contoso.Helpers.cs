// Compiled with `mcs -target:module`: a .netmodule has a Module row but no
// Assembly row (no manifest), so it has no strong-name identity of its own.
namespace Contoso.Helpers
{
    public static class Guard
    {
        public static bool IsValidOrderId(string orderId)
        {
            return orderId != null && orderId.Length > 0 && orderId.Length <= 32;
        }
    }
}
