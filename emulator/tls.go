package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"
)

// productionHost is TFC's production hostname, which ProductionListen
// answers as.
const productionHost = "app.terraform.io"

// serverTLS returns the listeners' TLS configuration (nil without --tls)
// and the production listener's (nil without ProductionListen).
func (e *Emulator) serverTLS() (listeners, production *tls.Config, err error) {
	if !e.cfg.TLS && e.cfg.ProductionListen == "" {
		return nil, nil, nil
	}
	if e.cfg.TLSCertFile != "" && e.cfg.ProductionListen == "" {
		cert, err := tls.LoadX509KeyPair(e.cfg.TLSCertFile, e.cfg.TLSKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("tls: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil, nil
	}
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if e.cfg.ProductionListen != "" {
		hosts = append(hosts, productionHost)
	}
	for _, u := range []string{e.cfg.ExternalURL, e.cfg.Issuer} {
		if p, err := url.Parse(u); err == nil && p.Hostname() != "" {
			hosts = append(hosts, p.Hostname())
		}
	}
	caPEM, cert, err := generateCertificates(hosts, e.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	if e.cfg.CAOut != "" {
		if err := os.WriteFile(e.cfg.CAOut, caPEM, 0o644); err != nil {
			return nil, nil, fmt.Errorf("tls: write CA: %w", err)
		}
	}
	generated := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	listeners = generated
	if e.cfg.TLSCertFile != "" {
		c, err := tls.LoadX509KeyPair(e.cfg.TLSCertFile, e.cfg.TLSKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("tls: %w", err)
		}
		listeners = &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
	}
	if !e.cfg.TLS {
		listeners = nil
	}
	if e.cfg.ProductionListen != "" {
		production = generated
	}
	return listeners, production, nil
}

// generateCertificates makes a CA and a server certificate for hosts signed
// by it, valid for a year from now. It returns the CA as PEM.
func generateCertificates(hosts []string, now time.Time) ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tfcemu local CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "tfcemu"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}, nil
}
