// Command vcsim serves govmomi's vCenter simulator for DVMM's vSphere tests and for trying DVMM against a vCenter.
//
// Debian's golang-github-vmware-govmomi-dev ships the simulator library but not govmomi's own vcsim command, so this
// is a small one of the same shape, built by build.sh in GOPATH mode against the installed sources. It adds what the
// tests need: a fresh TLS certificate written to a file (clients verify against it rather than skipping checks),
// template VMs to clone from, a VM folder for the clones, fixed credentials, and one machine-readable line once it
// serves, so a test can start it on a free port and read where it is.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	// The optional endpoints govmomi's vcsim registers (lookup service, STS, PBM, CNS, the REST API).
	_ "github.com/vmware/govmomi/cns/simulator"
	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/sts/simulator"
	_ "github.com/vmware/govmomi/vapi/cluster/simulator"
	_ "github.com/vmware/govmomi/vapi/namespace/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

// Inventory names the objects a DVMM vSphere connection is configured with; it is part of the ready line.
type Inventory struct {
	Datacenter string `json:"datacenter"`
	// Empty when the model has no cluster (then templates live on a standalone host's pool).
	Cluster string `json:"cluster"`
	// Inventory path of the pool the templates are in (the cluster's root pool, "Resources").
	ResourcePool string `json:"resourcePool"`
	Datastore    string `json:"datastore"`
	// The standard port group on every host; the distributed one (when -pg > 0) is given too.
	Network              string   `json:"network"`
	DistributedPortgroup string   `json:"distributedPortgroup"`
	Folder               string   `json:"folder"`
	Templates            []string `json:"templates"`
}

type options struct {
	port        int
	username    string
	password    string
	certFile    string
	keyFile     string
	templates   []string
	folder      string
	delay       int
	methodDelay map[string]int
	// Stop when standard input closes.
	exitOnStdinEOF bool
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("vcsim: ")

	model := simulator.VPX()
	// Small by default: one datacenter, one cluster of one host, one datastore, no VMs but the templates.
	model.ClusterHost = 1
	model.Host = 0
	model.Machine = 0
	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "Number of datacenters")
	flag.IntVar(&model.Cluster, "cluster", model.Cluster, "Number of clusters per datacenter")
	flag.IntVar(&model.ClusterHost, "host", model.ClusterHost, "Number of hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", model.Host, "Number of standalone hosts per datacenter")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "Number of local datastores")
	flag.IntVar(&model.Machine, "vm", model.Machine, "Number of model VMs per resource pool (templates come on top)")
	flag.IntVar(&model.Pool, "pool", model.Pool, "Number of child resource pools per cluster")
	flag.IntVar(&model.Folder, "folder", model.Folder, "Number of folders the datacenters are placed in")
	flag.IntVar(&model.Portgroup, "pg", model.Portgroup, "Number of distributed port groups")

	var o options
	var templates, methodDelay string
	flag.IntVar(&o.port, "port", 0, "TCP port on 127.0.0.1 (0: a free one, given in the ready line)")
	flag.StringVar(&o.username, "username", "user", "The only username Login accepts")
	flag.StringVar(&o.password, "password", "pass", "The only password Login accepts")
	flag.StringVar(&o.certFile, "tls-cert", "", "PEM certificate file: used with -tls-key when both exist, else a new self-signed one is written there (required)")
	flag.StringVar(&o.keyFile, "tls-key", "", "PEM private key file (default: the -tls-cert path with .key)")
	flag.StringVar(&templates, "templates", "ubuntu-22.04,rhel-9", "Comma-separated names of template VMs to create")
	flag.StringVar(&o.folder, "vm-folder", "dvmm", "VM folder to create in each datacenter's vm folder (empty: none)")
	flag.IntVar(&o.delay, "delay", 0, "Delay in ms before every SOAP method (after setup)")
	flag.StringVar(&methodDelay, "method-delay", "", "Delay in ms per SOAP method, e.g. CloneVM_Task=3000,PowerOnVM_Task=500 (after setup)")
	flag.BoolVar(&o.exitOnStdinEOF, "exit-on-stdin-eof", false, "Stop when standard input is closed (for a parent process that may die)")
	flag.Parse()

	if o.certFile == "" {
		log.Fatal("-tls-cert is required: clients verify the server against it")
	}
	if o.keyFile == "" {
		o.keyFile = strings.TrimSuffix(o.certFile, filepath.Ext(o.certFile)) + ".key"
	}
	o.templates = splitList(templates)
	var err error
	if o.methodDelay, err = parseMethodDelay(methodDelay); err != nil {
		log.Fatal(err)
	}
	if err := run(model, o); err != nil {
		log.Fatal(err)
	}
}

func run(model *simulator.Model, o options) error {
	cert, err := loadOrCreateCertificate(o.certFile, o.keyFile)
	if err != nil {
		return err
	}

	if o.port != 0 {
		// As vcsim does: the hosts' summary names the port clients reach them on.
		esx.HostSystem.Summary.Config.Port = int32(o.port)
	}
	model.ServiceContent.About.Name += " (govmomi simulator)"
	model.ServiceContent.About.OsType = runtime.GOOS + "-" + runtime.GOARCH
	if err := model.Create(); err != nil {
		return err
	}
	// Datastores are temporary folders; remove them however we leave.
	defer model.Remove()

	model.Service.RegisterEndpoints = true
	model.Service.Listen = &url.URL{
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)),
		User: url.UserPassword(o.username, o.password),
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	server := model.Service.NewServer()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	inventory, err := prepareInventory(ctx, server.URL, o)
	if err != nil {
		return fmt.Errorf("preparing the inventory: %w", err)
	}

	// Delays start now, so the setup above is not slowed by them.
	model.DelayConfig.Delay = o.delay
	model.DelayConfig.MethodDelay = o.methodDelay

	port := server.Listener.Addr().(*net.TCPAddr).Port
	sdk := &url.URL{Scheme: "https", Host: server.URL.Host, Path: server.URL.Path, User: url.UserPassword(o.username, o.password)}
	names, err := json.Marshal(inventory)
	if err != nil {
		return err
	}
	// The one line tests wait for; the inventory's JSON comes last because names may hold spaces.
	fmt.Printf("VCSIM_URL=%s VCSIM_PORT=%d VCSIM_PID=%d VCSIM_INVENTORY=%s\n", sdk.String(), port, os.Getpid(), names)
	printSummary(o, server.URL, inventory)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	if o.exitOnStdinEOF {
		// A test's simulator must not outlive the test process, even one killed outright: its stdin is a pipe from
		// that process, which the system closes when the process dies.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			signals <- syscall.SIGTERM
		}()
	}
	got := <-signals
	// No graceful close: a test stops the simulator in the middle of a (delayed) call to see the client cope with a
	// vCenter that goes away, so open connections are dropped rather than waited for.
	log.Printf("%s: stopping", got)
	return nil
}

// printSummary tells a person what to configure DVMM's vSphere connection with.
func printSummary(o options, sdk *url.URL, inventory *Inventory) {
	plain := url.URL{Scheme: sdk.Scheme, Host: sdk.Host, Path: sdk.Path}
	certFile, err := filepath.Abs(o.certFile)
	if err != nil {
		certFile = o.certFile
	}
	rows := [][2]string{
		{"URL", plain.String()},
		{"username", o.username},
		{"password", o.password},
		{"CA file", certFile + " (the server's certificate; verify TLS against it)"},
		{"datacenter", inventory.Datacenter},
		{"cluster", inventory.Cluster},
		{"resource pool", inventory.ResourcePool},
		{"datastore", inventory.Datastore},
		{"network", inventory.Network},
		{"dv portgroup", inventory.DistributedPortgroup},
		{"folder", inventory.Folder},
		{"templates", strings.Join(inventory.Templates, ", ")},
	}
	fmt.Println("vCenter simulator (govmomi) is serving:")
	for _, row := range rows {
		if row[1] != "" {
			fmt.Printf("  %-14s %s\n", row[0], row[1])
		}
	}
	fmt.Println("Ctrl-C (SIGINT) or SIGTERM stops it; the inventory is made anew on every start.")
}

// prepareInventory logs in as a client would (verifying TLS), creates the VM folder and the templates, and names the
// objects a DVMM connection refers to.
func prepareInventory(ctx context.Context, sdk *url.URL, o options) (*Inventory, error) {
	soapClient := soap.NewClient(sdk, false)
	if err := soapClient.SetRootCAs(o.certFile); err != nil {
		return nil, err
	}
	vimClient, err := vim25.NewClient(ctx, soapClient)
	if err != nil {
		return nil, err
	}
	client := &govmomi.Client{Client: vimClient, SessionManager: session.NewManager(vimClient)}
	if err := client.Login(ctx, url.UserPassword(o.username, o.password)); err != nil {
		return nil, err
	}
	defer func() { _ = client.Logout(ctx) }()

	finder := find.NewFinder(vimClient, false)
	datacenters, err := finder.DatacenterList(ctx, "*")
	if err != nil {
		return nil, err
	}
	inventory := &Inventory{Folder: o.folder, Templates: o.templates}
	for i, dc := range datacenters {
		finder.SetDatacenter(dc)
		names, err := prepareDatacenter(ctx, finder, dc, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dc.Name(), err)
		}
		if i == 0 {
			inventory = names
		}
	}
	return inventory, nil
}

func prepareDatacenter(ctx context.Context, finder *find.Finder, dc *object.Datacenter, o options) (*Inventory, error) {
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	if o.folder != "" {
		if _, err := folders.VmFolder.CreateFolder(ctx, o.folder); err != nil {
			return nil, err
		}
	}

	inventory := &Inventory{Datacenter: dc.Name(), Folder: o.folder, Templates: o.templates}
	clusters, err := finder.ClusterComputeResourceList(ctx, "*")
	var pool *object.ResourcePool
	if err == nil && len(clusters) > 0 {
		inventory.Cluster = clusters[0].Name()
		if pool, err = clusters[0].ResourcePool(ctx); err != nil {
			return nil, err
		}
		// A cluster's root pool is always named Resources.
		pool.InventoryPath = clusters[0].InventoryPath + "/Resources"
	} else if pool, err = finder.DefaultResourcePool(ctx); err != nil {
		return nil, err
	}
	inventory.ResourcePool = pool.InventoryPath

	datastores, err := finder.DatastoreList(ctx, "*")
	if err != nil {
		return nil, err
	}
	datastore := datastores[0]
	inventory.Datastore = datastore.Name()

	network, err := finder.Network(ctx, "VM Network")
	if err != nil {
		return nil, err
	}
	inventory.Network = "VM Network"
	if portgroups, err := finder.NetworkList(ctx, "*"); err == nil {
		for _, pg := range portgroups {
			dvpg, ok := pg.(*object.DistributedVirtualPortgroup)
			// Each switch also has its uplinks' port group (named <switch>-DVUplinks-<n>), which takes no VMs.
			if ok && !strings.Contains(dvpg.Name(), "-DVUplinks") {
				inventory.DistributedPortgroup = dvpg.Name()
				break
			}
		}
	}
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return nil, err
	}

	for _, name := range o.templates {
		if err := createTemplate(ctx, folders.VmFolder, pool, datastore, backing, name); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	return inventory, nil
}

// createTemplate makes a VM shaped like a small cloud image (2 vCPU, 2 GiB, a 16 GiB thin disk, one vmxnet3 card on
// the network) and marks it as a template, as an administrator prepares the images DVMM clones.
func createTemplate(ctx context.Context, folder *object.Folder, pool *object.ResourcePool, ds *object.Datastore,
	backing types.BaseVirtualDeviceBackingInfo, name string) error {
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return err
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(), ds.Path(name+"/"+name+".vmdk"))
	disk.CapacityInKB = 16 * 1024 * 1024
	devices = append(devices, disk)
	nic, err := devices.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return err
	}
	devices = append(devices, nic)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return err
	}
	for _, change := range changes {
		spec := change.GetVirtualDeviceConfigSpec()
		if _, ok := spec.Device.(*types.VirtualDisk); ok {
			spec.FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
	}

	task, err := folder.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name:         name,
		GuestId:      guestID(name),
		NumCPUs:      2,
		MemoryMB:     2048,
		Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + ds.Name() + "]"},
		DeviceChange: changes,
	}, pool, nil)
	if err != nil {
		return err
	}
	result, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return err
	}
	vm := object.NewVirtualMachine(folder.Client(), result.Result.(types.ManagedObjectReference))
	return vm.MarkAsTemplate(ctx)
}

func guestID(name string) string {
	switch lower := strings.ToLower(name); {
	case strings.Contains(lower, "ubuntu"):
		return string(types.VirtualMachineGuestOsIdentifierUbuntu64Guest)
	case strings.Contains(lower, "rhel"):
		return string(types.VirtualMachineGuestOsIdentifierRhel8_64Guest)
	case strings.Contains(lower, "win"):
		return string(types.VirtualMachineGuestOsIdentifierWindows9Server64Guest)
	default:
		return string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest)
	}
}

// loadOrCreateCertificate reuses an existing pair (so a restarted simulator keeps the certificate clients trust) or
// makes a self-signed one for 127.0.0.1, ::1 and localhost and writes it.
func loadOrCreateCertificate(certFile, keyFile string) (tls.Certificate, error) {
	if exists(certFile) && exists(keyFile) {
		return tls.LoadX509KeyPair(certFile, keyFile)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"DVMM test vCenter simulator"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		// Self-signed and marked as a CA, so clients can trust it directly as their only root.
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDer, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPem := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDer})
	if err := writeAtomically(keyFile, keyPem, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeAtomically(certFile, certPem, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPem, keyPem)
}

// A reader that polls for the file never sees half of it.
func writeAtomically(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseMethodDelay reads "Method=ms,Method=ms" (vcsim's "Method:ms" is accepted too).
func parseMethodDelay(s string) (map[string]int, error) {
	delays := map[string]int{}
	for _, entry := range splitList(s) {
		name, value, ok := strings.Cut(entry, "=")
		if !ok {
			name, value, ok = strings.Cut(entry, ":")
		}
		ms, err := strconv.Atoi(strings.TrimSpace(value))
		if !ok || strings.TrimSpace(name) == "" || err != nil || ms < 0 {
			return nil, errors.New("-method-delay: expected Method=milliseconds[,Method=milliseconds...], got " + entry)
		}
		delays[strings.TrimSpace(name)] = ms
	}
	return delays, nil
}
