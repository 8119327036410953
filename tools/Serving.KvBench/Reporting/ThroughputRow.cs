namespace Serving.KvBench.Reporting;

internal sealed record ThroughputRow(string Transport, int ChunkBytes, int Streams, int Samples, double GrpcMbPerS, double TcpMbPerS, double Ratio, double GrpcCpuSecondsPerGb, double TcpCpuSecondsPerGb);
