
Bzero_pointsJ"g ซI้อ๛็~ต่๖p9	ย