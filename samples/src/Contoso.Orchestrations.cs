// Contoso.Orchestrations: a small BizTalk-style orchestration library.
// Sample input for asmgate tests; see samples/README.md for how it is built.
using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("Contoso.Orchestrations")]
[assembly: AssemblyDescription("Order processing orchestrations for the Contoso integration platform")]
[assembly: AssemblyCompany("Contoso Ltd.")]
[assembly: AssemblyProduct("Contoso Integration Suite")]
[assembly: AssemblyCopyright("Copyright (c) Contoso Ltd. (test sample)")]
[assembly: AssemblyVersion("1.2.3.4")]
[assembly: AssemblyFileVersion("1.2.3.4")]
[assembly: ComVisible(false)]

namespace Contoso.Orchestrations
{
    public enum OrderState
    {
        Received,
        Validated,
        Shipped,
        Rejected
    }

    public sealed class OrderMessage
    {
        public string OrderId { get; set; }
        public string CustomerId { get; set; }
        public decimal Amount { get; set; }
        public OrderState State { get; set; }
    }

    public class OrderProcessingOrchestration
    {
        // tampered-il.dll patches the IL of this method (ldc.i4.3 -> ldc.i4.4).
        public static int MaxRetries()
        {
            return 3;
        }

        private readonly List<OrderMessage> _processed = new List<OrderMessage>();

        public OrderState Process(OrderMessage message)
        {
            if (message == null)
                throw new ArgumentNullException("message");
            if (string.IsNullOrEmpty(message.OrderId) || message.Amount <= 0m)
            {
                message.State = OrderState.Rejected;
                return message.State;
            }
            message.State = OrderState.Validated;
            _processed.Add(message);
            return message.State;
        }

        public int ProcessedCount
        {
            get { return _processed.Count; }
        }
    }

    public static class ShipmentCorrelation
    {
        public static string CorrelationKey(OrderMessage message)
        {
            return "urn:contoso:orders:" + message.CustomerId + ":" + message.OrderId;
        }
    }
}
