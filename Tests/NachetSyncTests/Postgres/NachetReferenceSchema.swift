/// The five tables of a production Nachet schema as Nachet's datastore
/// creates them (schema `nachet_0.0.11`, ids from `uuid_.uuid_generate_v4()`,
/// the seed's `object_type_id` generated, every not-null and foreign key), and
/// a role with only the rights the agent should need. The agent must work on
/// this unmodified, as that role.
enum NachetReferenceSchema {
    static let schema = "nachet_0.0.11"
    static let agentPassword = "agent-password"

    /// Statements run as the superuser on an empty database; `agentRole` is
    /// created with the rights the agent needs.
    static func statements(agentRole: String) -> [String] {
        [
            "CREATE SCHEMA uuid_",
            #"CREATE EXTENSION "uuid-ossp" SCHEMA uuid_"#,
            #"CREATE SCHEMA "nachet_0.0.11""#,
            #"""
            CREATE TABLE "nachet_0.0.11".users (
                id uuid DEFAULT uuid_.uuid_generate_v4() PRIMARY KEY,
                email varchar(255) NOT NULL,
                registration_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
                updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
                default_set_id uuid
            )
            """#,
            #"""
            CREATE TABLE "nachet_0.0.11".picture_set (
                id uuid NOT NULL DEFAULT uuid_.uuid_generate_v4() PRIMARY KEY,
                picture_set json NOT NULL,
                owner_id uuid NOT NULL REFERENCES "nachet_0.0.11".users(id),
                upload_date date NOT NULL DEFAULT current_timestamp,
                name text
            )
            """#,
            #"""
            ALTER TABLE "nachet_0.0.11".users ADD FOREIGN KEY (default_set_id) REFERENCES "nachet_0.0.11".picture_set(id)
            """#,
            #"""
            CREATE TABLE "nachet_0.0.11".picture (
                id uuid NOT NULL DEFAULT uuid_.uuid_generate_v4() PRIMARY KEY,
                picture json NOT NULL,
                picture_set_id uuid NOT NULL,
                nb_obj integer NOT NULL,
                verified boolean NOT NULL DEFAULT false,
                upload_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
                FOREIGN KEY (picture_set_id) REFERENCES "nachet_0.0.11".picture_set(id) ON DELETE CASCADE
            )
            """#,
            #"""
            CREATE TABLE "nachet_0.0.11".seed (
                id uuid NOT NULL DEFAULT uuid_.uuid_generate_v4() PRIMARY KEY,
                name text NOT NULL,
                object_type_id integer GENERATED ALWAYS AS (1) STORED
            )
            """#,
            #"""
            CREATE TABLE "nachet_0.0.11".picture_seed (
                id uuid DEFAULT uuid_.uuid_generate_v4() PRIMARY KEY,
                picture_id uuid NOT NULL,
                seed_id uuid NOT NULL REFERENCES "nachet_0.0.11".seed(id),
                upload_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
                FOREIGN KEY (picture_id) REFERENCES "nachet_0.0.11".picture(id) ON DELETE CASCADE
            )
            """#,
            #"""
            INSERT INTO "nachet_0.0.11".seed (name) VALUES
                ('Brassica napus'), ('Brassica juncea'), ('Cirsium arvense'), ('Cirsium vulgare'), ('Carduus nutans'),
                ('Bromus secalinus'), ('Bromus hordeaceus'), ('Bromus japonicus'), ('Lolium temulentum'),
                ('Solanum carolinense'), ('Solanum nigrum'), ('Solanum rostratum'), ('Ambrosia artemisiifolia'),
                ('Ambrosia trifida'), ('Ambrosia psilostachya')
            """#,
            "CREATE ROLE \(agentRole) LOGIN PASSWORD '\(agentPassword)'",
            #"GRANT USAGE ON SCHEMA "nachet_0.0.11" TO \#(agentRole)"#,
            #"""
            GRANT SELECT, INSERT, UPDATE ON "nachet_0.0.11".users, "nachet_0.0.11".seed, "nachet_0.0.11".picture_set,
                "nachet_0.0.11".picture, "nachet_0.0.11".picture_seed TO \#(agentRole)
            """#,
        ]
    }
}
