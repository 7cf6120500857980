// The platform's floor (bench/README.md, issue 13): `silo` hosts a bare Orleans silo, `client` drives it.
using DistributedTaskQueue.Floor;

return args switch
{
    ["silo", .. var rest] => await FloorSilo.RunAsync(Arguments.Parse(rest)),
    ["client", .. var rest] => await FloorClient.RunAsync(Arguments.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        DistributedTaskQueue.Floor silo --redis HOST:PORT --cluster C --silo-port P --gateway-port G [--web PORT]
        DistributedTaskQueue.Floor client --redis HOST:PORT --cluster C --producers N --calls M [--call ping|write|group|group-tail]
        """);
    return 2;
}
