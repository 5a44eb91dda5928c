using Downshift.Inventory;

namespace Downshift.Tests.Inventory;

public sealed class InventoryLoaderTests
{
    private const string Ini = """
        # the shop
        lb0 ansible_host=10.0.0.5

        [web]
        web[01:03] ansible_user=deploy
        web09:2222 ansible_host=10.0.0.9 ansible_become=true ansible_ssh_private_key_file=/keys/web

        [db]
        db1 ansible_host=10.0.1.1 role="primary db"

        [shop:children]
        web
        db

        [shop:vars]
        ansible_user=shop
        tier=shop

        [web:vars]
        tier=web

        [all:vars]
        ansible_port=2200
        tier=all
        """;

    [Fact]
    public void Load_Ini_ReadsHostsGroupsAndConnectionVars()
    {
        var inventory = Load("hosts.ini", Ini);

        Assert.Equal(["lb0", "web01", "web02", "web03", "web09", "db1"], inventory.Hosts.Select(h => h.Name));
        var web09 = Host(inventory, "web09");
        Assert.Equal(("10.0.0.9", 2222, "shop", true, "/keys/web"), (web09.Address, web09.Port, web09.User, web09.Become, web09.KeyFile));
        Assert.Equal(("10.0.0.5", 2200, null), (Host(inventory, "lb0").Address, Host(inventory, "lb0").Port, Host(inventory, "lb0").User));
        Assert.Equal("primary db", Host(inventory, "db1").Vars["role"]);
        Assert.Equal(["lb0"], inventory.Groups["ungrouped"]);
    }

    [Fact]
    public void Load_Ini_VarsPrecedenceHostOverChildOverParentOverAll()
    {
        var inventory = Load("hosts.ini", Ini);

        Assert.Equal("deploy", Host(inventory, "web01").User); // host over parent group
        Assert.Equal("web", Host(inventory, "web01").Vars["tier"]); // child group over parent group
        Assert.Equal(("shop", "shop"), (Host(inventory, "db1").User, Host(inventory, "db1").Vars["tier"])); // parent over all
        Assert.Equal("all", Host(inventory, "lb0").Vars["tier"]);
        Assert.Equal(["shop", "web"], Host(inventory, "web01").Groups);
    }

    [Fact]
    public void Resolve_GroupWithChildren_GivesItsHostsInInventoryOrder()
    {
        var inventory = Load("hosts.ini", Ini);

        Assert.Equal(["web01", "web02", "web03", "web09", "db1"], inventory.Resolve("shop")!.Select(h => h.Name));
        Assert.Equal(["web02"], inventory.Resolve("web02")!.Select(h => h.Name));
        Assert.Null(inventory.Resolve("nope"));
    }

    [Fact]
    public void Load_Yaml_ReadsTheSameModel()
    {
        var inventory = Load("hosts.yml", """
            all:
              vars:
                ansible_user: ops
              hosts:
                lb0:
              children:
                web:
                  hosts:
                    web[1:2]:
                      ansible_host: 10.0.0.7
                    web3: {ansible_port: 2201, ansible_become: yes}
                  vars:
                    ansible_user: deploy
                db:
                  hosts:
                    db1:
            """);

        Assert.Equal(["lb0", "web1", "web2", "web3", "db1"], inventory.Hosts.Select(h => h.Name));
        Assert.Equal(("10.0.0.7", "deploy"), (Host(inventory, "web2").Address, Host(inventory, "web2").User));
        Assert.Equal((2201, true), (Host(inventory, "web3").Port, Host(inventory, "web3").Become));
        Assert.Equal("ops", Host(inventory, "db1").User);
        Assert.Equal(["web1", "web2", "web3"], inventory.Resolve("web")!.Select(h => h.Name));
    }

    [Fact]
    public void Load_IniWithMistakes_ReportsEveryErrorWithItsPosition()
    {
        var result = InventoryLoader.Load("bad.ini", """
            [web]
            web1 ansible_port=http
            web[3:1]
            web2 notavar

            [web:vars]
            justaword

            [web:kids]
            """);

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                "bad.ini:2:19: ansible_port of host 'web1' must be a port number (1-65535), not 'http'",
                "bad.ini:3:1: host range [3:1] must go up, from a number to a number or a letter to a letter",
                "bad.ini:4:6: 'notavar' after a host name must be key=value",
                "bad.ini:7:1: a line of [web:vars] is key=value, not 'justaword'",
                "bad.ini:9:6: unknown section kind ':kids' (use [web], [web:children] or [web:vars])",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_YamlWithMistakes_ReportsPositionsAndPaths()
    {
        var result = InventoryLoader.Load("bad.yml", """
            all:
              children:
                web:
                  host:
                    web1:
                  vars: [1, 2]
            """);

        Assert.Equal(
            [
                "bad.yml:4:7: unknown key 'host' in group 'web'; did you mean 'hosts'? (at all.children.web.host)",
                "bad.yml:6:13: must be a mapping (name: …), not a list or a value (at all.children.web.vars)",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("all:\n  hosts: [web1\n  vars:\n    a: 1\n")]
    [InlineData("all:\n  hosts:\n    web1: {a: 1\n  children:\n")]
    [InlineData("all:\n  hosts: a: b\n")]
    public void Load_MalformedYaml_OnePositionedErrorNoCrash(string text)
    {
        var result = InventoryLoader.Load("bad.yml", text);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Line:", error.Message, StringComparison.Ordinal);
        Assert.Equal("bad.yml", error.Location.File);
        Assert.InRange(error.Location.Line, 2, 5);
    }

    [Fact]
    public void Load_ChildrenCycle_IsAnError()
    {
        var result = InventoryLoader.Load("cycle.ini", "[a:children]\nb\n[b:children]\na\n");

        Assert.Contains(result.Errors, e => e.Message.Contains("its own descendant", StringComparison.Ordinal));
    }

    private static Downshift.Inventory.Inventory Load(string path, string text)
    {
        var result = InventoryLoader.Load(path, text);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Inventory!;
    }

    private static Downshift.Hosts.HostEntry Host(Downshift.Inventory.Inventory inventory, string name) =>
        inventory.Hosts.Single(h => h.Name == name);
}
