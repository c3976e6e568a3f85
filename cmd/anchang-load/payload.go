package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"

	"github.com/google/uuid"
)

// The load is kiosk check-ins (visit.checkin v1, a first visit with its
// visitor): the commonest record an office writes, and one that refers to
// no other record, so every push is independent of the others. The JSON is
// data's visit.checkin v1 payload; data.DescribeMutation checks it at HQ
// exactly as it checks a real device's.

const (
	checkInName    = "visit.checkin"
	checkInVersion = 1
)

type stampPart struct {
	ID        string `json:"id"`
	OfficeID  string `json:"office_id"`
	DeviceID  string `json:"device_id"`
	CreatedAt int64  `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

type visitorPart struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Phone string `json:"phone"`
	New   bool   `json:"new"`
}

type checkInPayload struct {
	stampPart
	Visitor        visitorPart  `json:"visitor"`
	Name           string       `json:"name"`
	Title          string       `json:"title"`
	ArrivedAt      int64        `json:"arrived_at"`
	Day            string       `json:"day"`
	PartySize      int          `json:"party_size"`
	Purpose        data.Purpose `json:"purpose"`
	SourceID       string       `json:"source_id"`
	Kind           string       `json:"kind"`
	Via            string       `json:"via"`
	InterestUnit   string       `json:"interest_unit"`
	InterestBudget string       `json:"interest_budget"`
	Notes          string       `json:"notes"`
	ConsentVersion string       `json:"consent_version"`
}

// officeZone is the offices' time zone (HQ's default for a new office): a
// visit's day is the office's.
var officeZone = func() *time.Location {
	l, err := time.LoadLocation(hq.DefaultTimeZone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
var givens = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"}

// checkIn makes the n-th check-in of a device as a wire mutation with seq.
func checkIn(officeID, deviceID string, seq int64, n int, at time.Time) hqsync.Mutation {
	id := uuid.Must(uuid.NewV7()).String()
	name := surnames[n%len(surnames)] + givens[(n/len(surnames))%len(givens)]
	p := checkInPayload{
		stampPart: stampPart{ID: id, OfficeID: officeID, DeviceID: deviceID, CreatedAt: at.UnixMilli()},
		Visitor:   visitorPart{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Phone: fmt.Sprintf("+86139%08d", n%100_000_000), New: true},
		Name:      name, ArrivedAt: at.UnixMilli(), Day: at.In(officeZone).Format(time.DateOnly), PartySize: 1 + n%3,
		Purpose: data.PurposeViewing, Kind: data.KindFirst, Via: data.ViaKiosk, ConsentVersion: data.ConsentVersion,
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hqsync.Mutation{Seq: seq, Name: checkInName, Version: checkInVersion, RecordID: id, Payload: b,
		Hash: hex.EncodeToString(sum[:]), CreatedAt: at.UnixMilli()}
}

// checkPayload says whether this build's data package accepts the load's
// payload, before any HQ is started.
func checkPayload() error {
	m := checkIn(uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String(), 1, 0, time.Now())
	if _, err := data.DescribeMutation(m.Name, m.Version, m.Payload); err != nil {
		return fmt.Errorf("%s v%d is not accepted by data.DescribeMutation (%v): the load tool's payload and data's registry disagree", m.Name, m.Version, err)
	}
	return nil
}
