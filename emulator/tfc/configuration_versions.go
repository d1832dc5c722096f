package tfc

import (
	"net/http"
	"time"
)

// Configuration version statuses, as go-tfe names them.
const (
	ConfigurationPending  = "pending"
	ConfigurationUploaded = "uploaded"
	ConfigurationErrored  = "errored"
)

// ConfigurationVersion is an uploaded Terraform configuration (a tar.gz)
// of a workspace. It is pending until its archive arrives at its upload
// URL. Runs are not executed from it (yet).
type ConfigurationVersion struct {
	ID            string
	WorkspaceID   string
	Status        string
	Source        string
	AutoQueueRuns bool
	Speculative   bool
	Provisional   bool
	Error         string
	ErrorMessage  string
	Archive       []byte
	UploadKey     string
	CreatedAt     time.Time
	Timestamps    map[string]time.Time
	seq           int64
}

func (cv *ConfigurationVersion) order() int64 { return cv.seq }

// uploadConfig takes an archivist upload of a configuration archive;
// uploading again replaces the archive, as go-tfe's tests do. An archive
// that is not gzip errors the version, as TFC's ingress does, and is
// answered with refused (the version's error); its upload URL then stops
// working.
func (st *State) uploadConfig(o *HostedObject, body []byte, now time.Time) (refused *Error) {
	cv, ok := st.ConfigVersions[o.OwnerID]
	if !ok {
		return errNotFound
	}
	if !isGzip(body) {
		cv.Status, cv.Error, cv.ErrorMessage = ConfigurationErrored, "invalid-archive", "The configuration archive is not a gzip-compressed tar archive"
		cv.Timestamps["errored-at"] = now
		cv.UploadKey, cv.Archive = "", nil
		delete(st.Objects, o.Key)
		st.changes.mark("Objects", o.Key)
		return invalidAttribute("", cv.ErrorMessage)
	}
	if refused := checkConfigArchive(body); refused != nil {
		return refused // the version stays pending: a good archive may follow
	}
	cv.Archive, cv.Status = body, ConfigurationUploaded
	cv.Timestamps["uploaded-at"] = now
	return nil
}

type cvTimestamps struct {
	QueuedAt   *string `json:"queued-at,omitempty"`
	UploadedAt *string `json:"uploaded-at,omitempty"`
	FinishedAt *string `json:"finished-at,omitempty"`
	ErroredAt  *string `json:"errored-at,omitempty"`
}

type cvAttributes struct {
	AutoQueueRuns    bool         `json:"auto-queue-runs"`
	Error            *string      `json:"error"`
	ErrorMessage     *string      `json:"error-message"`
	Source           string       `json:"source"`
	Speculative      bool         `json:"speculative"`
	Provisional      bool         `json:"provisional"`
	Status           string       `json:"status"`
	StatusTimestamps cvTimestamps `json:"status-timestamps"`
	ChangedFiles     []string     `json:"changed-files"`
	UploadURL        *string      `json:"upload-url,omitempty"`
}

// configVersionResource is the one representation of a configuration
// version; the upload URL is only in the create response, as TFC does.
func configVersionResource(cv *ConfigurationVersion, r *http.Request, withUpload bool) Resource {
	ts := func(name string) *string {
		t, ok := cv.Timestamps[name]
		if !ok {
			return nil
		}
		return timestampPtr(&t)
	}
	a := cvAttributes{AutoQueueRuns: cv.AutoQueueRuns, Error: nonEmpty(cv.Error), ErrorMessage: nonEmpty(cv.ErrorMessage),
		Source: cv.Source, Speculative: cv.Speculative, Provisional: cv.Provisional, Status: cv.Status, ChangedFiles: []string{},
		StatusTimestamps: cvTimestamps{QueuedAt: ts("queued-at"), UploadedAt: ts("uploaded-at"), FinishedAt: ts("uploaded-at"), ErroredAt: ts("errored-at")}}
	if withUpload {
		a.UploadURL = objectURL(r, cv.UploadKey)
	}
	links := map[string]string{"self": "/api/v2/configuration-versions/" + cv.ID}
	if cv.Status == ConfigurationUploaded {
		links["download"] = "/api/v2/configuration-versions/" + cv.ID + "/download"
	}
	return Resource{ID: cv.ID, Type: "configuration-versions", Attributes: a,
		Relationships: map[string]Relationship{"ingress-attributes": toOne("ingress-attributes", "")}, Links: links}
}

// currentConfigVersionID is a workspace's newest non-provisional
// configuration version.
func (st *State) currentConfigVersionID(wsID string) string { return st.currentCV[wsID] }

// addConfigVersion stores cv; a non-provisional one becomes its
// workspace's current configuration version.
func (st *State) addConfigVersion(cv *ConfigurationVersion) {
	st.ConfigVersions[cv.ID] = cv
	if !cv.Provisional {
		st.currentCV[cv.WorkspaceID] = cv.ID
	}
}

type cvInput struct {
	AutoQueueRuns *bool `json:"auto-queue-runs"`
	Speculative   *bool `json:"speculative"`
	Provisional   *bool `json:"provisional"`
}

func (s *Service) createConfigVersion(c *call) (int, any, error) {
	var in cvInput
	if _, err := decodeResource(c.r, "configuration-versions", &in); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		// Uploading a configuration is how a run is queued: TFC asks for
		// the queue-run permission.
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needQueueRun)
		if err != nil {
			return nil, err
		}
		cv := &ConfigurationVersion{ID: newID("cv"), WorkspaceID: w.ID, Status: ConfigurationPending, Source: "tfe-api",
			AutoQueueRuns: true, CreatedAt: c.now, Timestamps: map[string]time.Time{"queued-at": c.now}, seq: st.next()}
		setIf(&cv.AutoQueueRuns, in.AutoQueueRuns)
		setIf(&cv.Speculative, in.Speculative)
		setIf(&cv.Provisional, in.Provisional)
		cv.UploadKey = st.newObject(objectConfig, cv.ID, true, c.now)
		st.addConfigVersion(cv)
		st.touch("ConfigVersions", cv.ID)
		return Document{Data: configVersionResource(cv, c.r, true)}, nil
	})
}

// configVersionFor finds a configuration version whose workspace the
// caller may read.
func (st *State) configVersionFor(p principal, id string) (*ConfigurationVersion, error) {
	cv, ok := st.ConfigVersions[id]
	if !ok {
		return nil, errNotFound
	}
	if _, err := st.workspaceFor(p, wsRef{id: cv.WorkspaceID}); err != nil {
		return nil, err
	}
	return cv, nil
}

func (s *Service) readConfigVersion(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		cv, err := st.configVersionFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: configVersionResource(cv, c.r, false)}, nil
	})
}

// listConfigVersions is GET /workspaces/:id/configuration-versions,
// newest first.
func (s *Service) listConfigVersions(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, err := st.workspaceFor(c.p, c.workspaceRef())
		if err != nil {
			return nil, err
		}
		list := sortedBySeq(st.ConfigVersions, func(cv *ConfigurationVersion) bool { return cv.WorkspaceID == w.ID })
		all := make([]Resource, 0, len(list))
		for i := len(list) - 1; i >= 0; i-- {
			all = append(all, configVersionResource(list[i], c.r, false))
		}
		return paginate(c.r, all)
	})
}

// downloadConfigVersion is GET /configuration-versions/:id/download: the
// archive itself; 404 until one was uploaded.
func (s *Service) downloadConfigVersion(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		cv, err := st.configVersionFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		if cv.Status != ConfigurationUploaded || cv.Archive == nil {
			return nil, errNotFound
		}
		return rawBody{ContentType: "application/octet-stream", Data: cv.Archive}, nil
	})
}
