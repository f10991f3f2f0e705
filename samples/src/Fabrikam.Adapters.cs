// Fabrikam.Adapters: a BizTalk-style adapter library. It uses System.Xml,
// System and System.Core, so its metadata holds several AssemblyRef rows.
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml;

[assembly: AssemblyTitle("Fabrikam.Adapters")]
[assembly: AssemblyDescription("File and XML transport adapters")]
[assembly: AssemblyCompany("Fabrikam, Inc.")]
[assembly: AssemblyProduct("Fabrikam Adapter Pack")]
[assembly: AssemblyCopyright("Copyright (c) Fabrikam, Inc. (test sample)")]
[assembly: AssemblyVersion("2.0.0.0")]
[assembly: AssemblyFileVersion("2.0.17.0")]

namespace Fabrikam.Adapters
{
    public interface ITransportAdapter
    {
        string Name { get; }
        XmlDocument Receive(string message);
    }

    public class XmlFileAdapter : ITransportAdapter
    {
        private readonly Uri _endpoint;

        public XmlFileAdapter(string endpoint)
        {
            _endpoint = new Uri(endpoint);
        }

        public string Name
        {
            get { return "Fabrikam.XmlFile:" + _endpoint.AbsolutePath; }
        }

        public XmlDocument Receive(string message)
        {
            XmlDocument doc = new XmlDocument();
            doc.XmlResolver = null;
            using (StringReader reader = new StringReader(message))
            {
                doc.Load(reader);
            }
            return doc;
        }

        public static int CountElements(XmlDocument doc, string name)
        {
            return doc.GetElementsByTagName(name).Cast<XmlNode>().Count();
        }
    }
}
