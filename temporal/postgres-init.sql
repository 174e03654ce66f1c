-- Databases for the Temporal server beside MDW's own (docker-compose.yml).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
