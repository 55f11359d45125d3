-- The villages the team covers, placed by the bundled gazetteer's names of their
-- sub-district, district and province (checked by the app against the gazetteer), with
-- the village's own name in Thai and, where it has one, in English, and its number in
-- its sub-district (หมู่ที่).
CREATE TABLE villages (
    id          TEXT PRIMARY KEY NOT NULL,
    name_th     TEXT NOT NULL CHECK (length(trim(name_th)) > 0),
    name_en     TEXT CHECK (name_en IS NULL OR length(trim(name_en)) > 0),
    moo         INTEGER CHECK (moo IS NULL OR moo BETWEEN 1 AND 99),
    subdistrict TEXT NOT NULL,
    district    TEXT NOT NULL,
    province    TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES members (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
-- One village of a name and number in a sub-district.
CREATE UNIQUE INDEX villages_place ON villages
    (province, district, subdistrict, coalesce(moo, 0), name_th) WHERE deleted_at IS NULL;

-- The register is kept by those who open cases and coordinate volunteers, and the lead
-- (a lead may have adjusted the built-in roles: append).
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'community.manage')
    WHERE id IN ('team_lead', 'case_worker', 'volunteer_coordinator');
